# common.sh: steps shared by the demo and the test scripts.  Sourced, not run.
#
# Both scripts run as root on a fresh Debian 12 machine: they install what
# is missing, build and install the extension, then run PostgreSQL as the
# unprivileged "postgres" user on a throwaway cluster.

PG_MAJOR=15
PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	postgresql-client-$PG_MAJOR libipc-run-perl make gcc xz-utils"

# Install the Debian packages that are not there yet.
install_dependencies() {
	local missing=""
	for pkg in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $pkg"
	done
	if [ -n "$missing" ]; then
		echo "== installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq $missing >/dev/null
	fi
}

# Build the extension and install it into the PostgreSQL it was built for.
build_and_install() {
	echo "== building and installing the extension"
	make -s PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" >/dev/null
	make -s PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" \
		install >/dev/null
}

# Copy the tree where the "postgres" user may write, and print its path.
copy_for_postgres() {
	local dir
	dir=$(mktemp -d /tmp/conversion_tracking.XXXXXX)
	cp -a . "$dir/tree"
	chown -R postgres: "$dir"
	echo "$dir/tree"
}

# Run a command as "postgres" when we are root, else as ourselves.
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- env PATH="/usr/lib/postgresql/$PG_MAJOR/bin:$PATH" "$@"
	else
		env PATH="/usr/lib/postgresql/$PG_MAJOR/bin:$PATH" "$@"
	fi
}
