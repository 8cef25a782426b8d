#!/usr/bin/env python3
"""fold_profile.py: share of a backend's time in each part of ingesting
events, from the output of `perf script` on a call-graph profile.

Each sample's stack, innermost frame first, is put into the first bucket
whose frames it contains in the listed order (outermost to innermost).
Usage: perf script -i perf.data | python3 fold_profile.py
"""
import sys

# (name, frames that must all be on the stack, outermost first)
BUCKETS = [
    ("attribution: FK checks of the conversion row (RI triggers)",
     ["insert_conversion", "standard_ExecutorFinish"]),
    ("attribution: conversion INSERT, executor start and end",
     ["insert_conversion", "standard_ExecutorStart"]),
    ("attribution: conversion INSERT, executor start and end",
     ["insert_conversion", "standard_ExecutorEnd"]),
    ("attribution: conversion INSERT, index entries",
     ["insert_conversion", "ExecInsertIndexTuples"]),
    ("attribution: conversion INSERT, CHECK constraints",
     ["insert_conversion", "ExecConstraints"]),
    ("attribution: conversion INSERT, the rest",
     ["insert_conversion"]),
    ("attribution: candidate scan, index descent and read",
     ["find_candidates", "index_getnext_tid"]),
    ("attribution: candidate scan, heap fetches of messages",
     ["find_candidates", "index_fetch_heap"]),
    ("attribution: candidate scan, the rest",
     ["find_candidates"]),
    ("attribution: opening and closing what a batch uses",
     ["begin_attribution"]),
    ("attribution: opening and closing what a batch uses",
     ["end_attribution"]),
    ("attribution: queueing and sorting the goal events",
     ["queue_event"]),
    ("attribution: queueing and sorting the goal events",
     ["compare_events"]),
    ("attribution: goal cache and the rest of the trigger",
     ["ct_attribute_event_trigger"]),
    ("WHEN condition (is_conversion_goal)",
     ["ct_is_conversion_goal"]),
    ("event row: FK check of its account (the RI trigger's SPI query)",
     ["AfterTriggerEndQuery", "SPI_execute_snapshot"]),
    ("event row: after-trigger queue, the rest",
     ["AfterTriggerEndQuery"]),
    ("event row: index entries", ["ExecInsertIndexTuples"]),
    ("event row: input parsing (COPY, jsonb)", ["NextCopyFrom"]),
    ("event row: heap insert and the rest", []),
]


def frames_of(block):
    """Return the function names of one sample, outermost first."""
    names = []
    for line in block[1:]:
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        name = parts[1].split(" (")[0]
        name = name.split("+0x")[0]
        names.append(name)
    names.reverse()
    return names


def contains_in_order(stack, wanted):
    """True if the wanted frames are on the stack, outermost first."""
    i = 0
    for name in stack:
        if i < len(wanted) and name == wanted[i]:
            i += 1
    return i == len(wanted)


def main():
    counts = {}
    order = []
    total = 0
    block = []
    for line in sys.stdin.read().split("\n") + [""]:
        if line.strip():
            block.append(line)
            continue
        if not block:
            continue
        stack = frames_of(block)
        block = []
        total += 1
        for name, wanted in BUCKETS:
            if contains_in_order(stack, wanted):
                if name not in counts:
                    counts[name] = 0
                counts[name] += 1
                break
    for name, _ in BUCKETS:
        if name not in order:
            order.append(name)
    print("%6s  %s" % ("share", "part of the time (%d samples)" % total))
    for name in order:
        if counts.get(name):
            print("%5.1f%%  %s" % (100.0 * counts[name] / total, name))


if __name__ == "__main__":
    main()
