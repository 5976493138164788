# Background processes of the project's scripts (cluster.sh, argocd.sh), sourced by them. Each has a pid file that
# also holds the process's start time, so a pid the kernel has since given to another process is never taken for
# one of ours, nor killed. The sourcing script sets PID_DIR and LOG_DIR and defines log and die.

process_start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

running() {
  local file=$PID_DIR/$1.pid pid started
  [ -f "$file" ] && read -r pid started <"$file" && [ -n "$started" ] \
    && [ "$(process_start_time "$pid")" = "$started" ]
}

pid_of() {
  local pid _
  read -r pid _ <"$PID_DIR/$1.pid"
  echo "$pid"
}

start() {
  local name=$1; shift
  if running "$name"; then return; fi
  log "starting $name"
  "$@" >>"$LOG_DIR/$name.log" 2>&1 &
  echo "$! $(process_start_time $!)" >"$PID_DIR/$name.pid"
}

stop() {
  local name=$1 pid
  if running "$name"; then
    pid=$(pid_of "$name")
    log "stopping $name ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do running "$name" || break; sleep 0.25; done
    if running "$name"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$PID_DIR/$name.pid"
}

wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${seconds}s; logs in $LOG_DIR"
    sleep 0.5
  done
}
