/*-------------------------------------------------------------------------
 *
 * links.c
 *	  Tracked links: appending a message's conversion token to a URL, and
 *	  reading a token back from an event.
 *
 * Copyright (c) 2026, conversion_tracking developers
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

#include "conversion_tracking.h"

/* The query parameter that carries the token, as the SPEC names it. */
#define TOKEN_PARAMETER "vero_conv"

PG_FUNCTION_INFO_V1(ct_tracked_link);

/*
 * Return true if the byte may stand unencoded in a part of a URL: RFC
 * 3986's unreserved and reserved characters but '#', which may only start
 * the fragment.  '%' is handled by the caller.
 */
static bool
is_url_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~:/?[]@!$&'()*+,;=", c) != NULL;
}

/*
 * Return the value of one hex digit, or -1 if c is not one.
 */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Append len bytes of a URL to buf, percent-encoding every byte that may not
 * stand in a URL as it is.  A '%' that already starts an escape is kept.
 */
static void
append_encoded(StringInfo buf, const char *s, int len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (is_url_char(c) ||
			(c == '%' && i + 2 < len &&
			 hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0))
			appendStringInfoChar(buf, (char) c);
		else
		{
			appendStringInfoChar(buf, '%');
			appendStringInfoChar(buf, hex[c >> 4]);
			appendStringInfoChar(buf, hex[c & 0x0F]);
		}
	}
}

/*
 * Return true if a query string pair (name=value or a bare name) is a
 * token parameter, which the new token replaces.
 */
static bool
is_token_pair(const char *pair, int len)
{
	int			namelen = sizeof(TOKEN_PARAMETER) - 1;

	return len >= namelen &&
		strncmp(pair, TOKEN_PARAMETER, namelen) == 0 &&
		(len == namelen || pair[namelen] == '=');
}

/*
 * tracked_link(url text, token uuid) returns text
 *
 * Return the URL with vero_conv=<token> as the last query parameter.  The
 * existing query string and fragment are kept; an earlier vero_conv is
 * replaced; bytes that may not stand in a URL are percent-encoded.
 */
Datum
ct_tracked_link(PG_FUNCTION_ARGS)
{
	text	   *url_text = PG_GETARG_TEXT_PP(0);
	pg_uuid_t  *token = PG_GETARG_UUID_P(1);
	const char *url = VARDATA_ANY(url_text);
	int			len = VARSIZE_ANY_EXHDR(url_text);
	const char *hash;
	const char *question;
	int			base_len;
	char	   *token_text;
	StringInfoData buf;

	/* An empty URL is a mistake in the caller's template. */
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("URL must not be empty")));

	/* The fragment starts at the first '#', the query at the first '?'. */
	hash = memchr(url, '#', len);
	base_len = hash ? hash - url : len;
	question = memchr(url, '?', base_len);

	initStringInfo(&buf);
	append_encoded(&buf, url, question ? question - url : base_len);
	appendStringInfoChar(&buf, '?');

	/*
	 * Keep every query pair but an earlier token, in its order, empty ones
	 * too; a trailing '&' gives no empty pair.
	 */
	if (question)
	{
		const char *pair = question + 1;
		const char *end = url + base_len;

		while (pair < end)
		{
			const char *amp = memchr(pair, '&', end - pair);
			int			pair_len = (amp ? amp : end) - pair;

			if (!is_token_pair(pair, pair_len))
			{
				append_encoded(&buf, pair, pair_len);
				appendStringInfoChar(&buf, '&');
			}
			pair += pair_len + 1;
		}
	}

	/* Append the token, then the fragment as it was. */
	appendStringInfoString(&buf, TOKEN_PARAMETER "=");
	token_text = DatumGetCString(DirectFunctionCall1(uuid_out,
													 UUIDPGetDatum(token)));
	appendStringInfoString(&buf, token_text);
	if (hash)
	{
		appendStringInfoChar(&buf, '#');
		append_encoded(&buf, hash + 1, len - base_len - 1);
	}

	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * Parse a token as links carry it: 32 hex digits, either with the dashes of
 * a UUID's usual form or without any.  Return false for anything else, so
 * that a mangled token earns nothing and raises no error.
 */
bool
ct_parse_token(const char *text, int len, pg_uuid_t *token)
{
	bool		dashed;
	int			nbytes = 0;

	if (len == 36)
		dashed = true;
	else if (len == 32)
		dashed = false;
	else
		return false;

	for (int i = 0; i < len;)
	{
		int			high;
		int			low;

		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23))
		{
			if (text[i] != '-')
				return false;
			i++;
			continue;
		}

		high = hex_value(text[i]);
		low = hex_value(text[i + 1]);
		if (high < 0 || low < 0)
			return false;
		token->data[nbytes++] = (unsigned char) ((high << 4) | low);
		i += 2;
	}

	return nbytes == UUID_LEN;
}
