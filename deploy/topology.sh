#!/usr/bin/env bash
# The production topology of Cartable on one machine, for tests and benchmarks (docs/deployment.md):
#
#   nginx :8080 (static files, /sante/, retries the other node)  ->  two app nodes (cartable serve :8101, :8102)
#   app nodes  ->  PgBouncer :6432 (transaction mode)  ->  PostgreSQL primary :5501
#              ->  PostgreSQL streaming replica :5502 (hot standby, pg_basebackup), for lag-tolerant pages
#              ->  Redis :6390 (cache; sessions stay in the database)
#   two task workers (cartable worker, the database queue; periodic jobs queued once between them)
#
# Everything listens on 127.0.0.1 and lives under one folder (default /tmp/cartable-topology):
#   deploy/topology.sh start [--seed]   start everything (--seed: the demo's personas, password « demo »)
#   deploy/topology.sh status           what runs, and `cartable check_topology`
#   deploy/topology.sh stop             stop everything cleanly (fast shutdown), keep the data
#   deploy/topology.sh clean            stop, then remove the folder
# Needs PostgreSQL 15's binaries (CARTABLE_PG_BIN), pgbouncer, nginx and redis-server (apt-get install
# postgresql pgbouncer nginx redis-server). As root, PostgreSQL and PgBouncer run as the « postgres » user.
set -euo pipefail

ROOT="${CARTABLE_TOPOLOGY_DIR:-/tmp/cartable-topology}"
PG_BIN="${CARTABLE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PRIMARY_PORT=5501
REPLICA_PORT=5502
BOUNCER_PORT=6432
REDIS_PORT=6390
NGINX_PORT="${CARTABLE_TOPOLOGY_PORT:-8080}"
NODE_PORTS=(8101 8102)
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV="${UV:-uv}"

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

app_env() {
    export SECRET_KEY
    SECRET_KEY="$(cat "$ROOT/secret_key")"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$BOUNCER_PORT/cartable"
    export CARTABLE_DB_POOLING=transaction
    export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/cartable"
    export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
    export CARTABLE_PROXY_HOPS=1
    export CARTABLE_VAR="$ROOT/var"
    export STATIC_ROOT="$ROOT/static"
    export ALLOWED_HOSTS="127.0.0.1,localhost"
    export CARTABLE_BASE_URL="http://127.0.0.1:$NGINX_PORT"
    export EMAIL_URL="${EMAIL_URL:-smtp://127.0.0.1:2525}"
}

cartable() { (cd "$REPO" && "$REPO/.venv/bin/cartable" "$@"); }

wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 30 s
    local what="$1"
    shift
    for _ in $(seq 1 150); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    echo "$what did not come up" >&2
    return 1
}

start_postgres() {
    if [ ! -d "$ROOT/primary" ]; then
        as_pg "$PG_BIN/initdb" -D "$ROOT/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$ROOT/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$ROOT'
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 200
timezone = 'UTC'
EOF
        as_pg "$PG_BIN/pg_ctl" start -w -D "$ROOT/primary" -l "$ROOT/log/primary.log" >/dev/null
        as_pg "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c "CREATE DATABASE cartable"
        as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$ROOT/replica" -R -X stream -c fast
        echo "port = $REPLICA_PORT" | as_pg tee -a "$ROOT/replica/postgresql.auto.conf" >/dev/null
    else
        as_pg "$PG_BIN/pg_ctl" start -w -D "$ROOT/primary" -l "$ROOT/log/primary.log" >/dev/null
    fi
    as_pg "$PG_BIN/pg_ctl" start -w -D "$ROOT/replica" -l "$ROOT/log/replica.log" >/dev/null
}

start_pgbouncer() {
    cat >"$ROOT/pgbouncer.ini" <<EOF
[databases]
cartable = host=127.0.0.1 port=$PRIMARY_PORT dbname=cartable
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $ROOT/pgbouncer.users
pool_mode = transaction
default_pool_size = 40
max_client_conn = 1000
pidfile = $ROOT/run/pgbouncer.pid
logfile = $ROOT/log/pgbouncer.log
admin_users = postgres
# After the primary restarts, try its new connections again within a second (the default waits 15 s).
server_login_retry = 1
EOF
    echo '"postgres" ""' >"$ROOT/pgbouncer.users"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$ROOT/pgbouncer.ini" "$ROOT/pgbouncer.users"; fi
    as_pg pgbouncer -d "$ROOT/pgbouncer.ini"
}

start_redis() {
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$ROOT/redis" --daemonize yes \
        --pidfile "$ROOT/run/redis.pid" --logfile "$ROOT/log/redis.log" --save "" --appendonly no
}

start_nginx() {
    cat >"$ROOT/nginx.conf" <<EOF
worker_processes 2;
pid $ROOT/run/nginx.pid;
error_log $ROOT/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log $ROOT/log/nginx-access.log;
    client_body_temp_path $ROOT/run/nginx-body;
    proxy_temp_path $ROOT/run/nginx-proxy;
    fastcgi_temp_path $ROOT/run/nginx-fastcgi;
    uwsgi_temp_path $ROOT/run/nginx-uwsgi;
    scgi_temp_path $ROOT/run/nginx-scgi;
    server_tokens off;
    upstream cartable {
        server 127.0.0.1:${NODE_PORTS[0]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:${NODE_PORTS[1]} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        client_max_body_size 50m;
        location /static/ { alias $ROOT/static/; expires 7d; access_log off; }
        location / {
            proxy_pass http://cartable;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            # A node that is down or restarting: the request goes to the other one (idempotent requests only).
            # Not on a 503: that is Cartable saying the database does not answer, which the other node would
            # say too; nginx would turn it into a bare 502 once every node had been tried.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
        }
    }
}
EOF
    nginx -c "$ROOT/nginx.conf"
}

start_app() {
    app_env
    # Migrations go to the primary directly (PgBouncer's transaction mode does not suit DDL with locks held).
    DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/cartable" CARTABLE_DB_POOLING="" cartable migrate -v 0
    cartable collectstatic --noinput -v 0
    if [ "${SEED:-}" = 1 ]; then
        # The demo's personas (password « demo »: lucas.martin, claire.martin, paul.dupont...), once.
        DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/cartable" CARTABLE_DB_POOLING="" cartable load_demo \
            --if-empty
    fi
    # The virtualenv's own `cartable`, not `uv run`: the pid written is then gunicorn's master (serve execs it)
    # or the worker itself, which get the signals.
    for port in "${NODE_PORTS[@]}"; do
        (cd "$REPO" && exec "$REPO/.venv/bin/cartable" serve --port "$port" --workers 2 --threads 4 \
            >"$ROOT/log/node-$port.log" 2>&1) &
        echo $! >"$ROOT/run/node-$port.pid"
    done
    for n in 1 2; do
        (cd "$REPO" && exec "$REPO/.venv/bin/cartable" worker >"$ROOT/log/worker-$n.log" 2>&1) &
        echo $! >"$ROOT/run/worker-$n.pid"
    done
    for port in "${NODE_PORTS[@]}"; do wait_for "node $port" curl -fsS "http://127.0.0.1:$port/sante/"; done
}

stop_pidfile() {
    local file="$1"
    if [ -f "$file" ]; then
        kill -TERM "$(cat "$file")" 2>/dev/null || true
        rm -f "$file"
    fi
}

cmd_start() {
    (cd "$REPO" && "$UV" sync --frozen --quiet)
    mkdir -p "$ROOT"/{log,run,redis,var,static}
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$ROOT" "$ROOT/log" "$ROOT/run"; fi
    [ -f "$ROOT/secret_key" ] || head -c 48 /dev/urandom | base64 >"$ROOT/secret_key"
    start_postgres
    start_pgbouncer
    start_redis
    start_app
    start_nginx
    wait_for nginx curl -fsS "http://127.0.0.1:$NGINX_PORT/sante/"
    echo "Cartable's topology answers at http://127.0.0.1:$NGINX_PORT/ (data under $ROOT)."
}

cmd_stop() {
    [ -f "$ROOT/run/nginx.pid" ] && nginx -c "$ROOT/nginx.conf" -s quit 2>/dev/null || true
    for file in "$ROOT"/run/node-*.pid "$ROOT"/run/worker-*.pid; do stop_pidfile "$file"; done
    [ -f "$ROOT/run/redis.pid" ] && redis-cli -p "$REDIS_PORT" shutdown nosave 2>/dev/null || true
    stop_pidfile "$ROOT/run/pgbouncer.pid"
    for cluster in replica primary; do
        if [ -f "$ROOT/$cluster/postmaster.pid" ]; then
            as_pg "$PG_BIN/pg_ctl" stop -w -m fast -D "$ROOT/$cluster" >/dev/null
        fi
    done
    echo "Stopped (data kept under $ROOT)."
}

cmd_status() {
    app_env
    cartable check_topology
    curl -fsS "http://127.0.0.1:$NGINX_PORT/sante/" && echo
}

case "${1:-}" in
start)
    if [ "${2:-}" = "--seed" ]; then SEED=1; fi
    cmd_start
    ;;
stop) cmd_stop ;;
status) cmd_status ;;
clean)
    cmd_stop
    rm -rf "$ROOT"
    ;;
*)
    sed -n '2,17p' "$0"
    exit 2
    ;;
esac
