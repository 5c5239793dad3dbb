#!/usr/bin/env bash
# Starts/stops a throwaway single-node Slurm cluster on 127.0.0.1 for the Slurm executor tests.
#
#   scripts/slurm-cluster.sh start    # install slurm-wlm + munge once, start munged, slurmctld and slurmd,
#                                     # wait until the node is idle, print the `export SLURM_CONF=…` lines
#   scripts/slurm-cluster.sh env      # print the `export …` lines a shell needs (exit 1 when not running)
#   scripts/slurm-cluster.sh status   # say whether it is up (exit 0) or not (exit 1)
#   scripts/slurm-cluster.sh stop     # cancel its jobs, stop slurmd and slurmctld, delete its folder
#
# Usage in a shell: eval "$(bash scripts/slurm-cluster.sh start)"; sbatch --wrap true
# Everything (slurm.conf, controller state, slurmd spool, pid and log files, the jobcomp file) lives in a
# private folder ${TMPDIR:-/tmp}/runnable-slurm.XXXXXX, named in the state file .cache/slurm.env of the
# repo (or the file RUNNABLE_SLURM_STATE names, so a test can run a cluster of its own); a second
# `start` reuses the running cluster. munged is the machine's one (/run/munge): started when missing,
# left running by `stop` (other clusters may use it). Must run as root (slurmd and munge need it).
# Environment: RUNNABLE_SLURM_CPUS (CPUs of the node, default nproc but at least 2), RUNNABLE_SLURM_MEMORY_MB (its
# RealMemory, default 90% of MemTotal), RUNNABLE_SLURM_START_TIMEOUT (seconds, default 60).
# docs/slurm-cluster.md explains the configuration and how to read a job's final state without sacct.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_FILE="${RUNNABLE_SLURM_STATE:-$REPO_ROOT/.cache/slurm.env}"
START_TIMEOUT="${RUNNABLE_SLURM_START_TIMEOUT:-60}"
PARTITION=debug

log() { echo "slurm-cluster: $*" >&2; }

ensure_root() {
  [[ "$(id -u)" == 0 ]] && return 0
  log "must run as root (slurmd runs jobs as their submitters, munged is started as the munge user)"
  return 1
}

ensure_installed() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
    && command -v munged >/dev/null && return 0
  log "installing Debian's slurm-wlm and munge packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurm-wlm munge >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends slurm-wlm munge >&2; }
}

# Serialises start/stop of one state file (test files may call `start` at the same time).
lock_state() {
  [[ -n "${STATE_LOCKED:-}" ]] && return 0
  mkdir -p "$(dirname "$STATE_FILE")"
  exec 8>"$STATE_FILE.lock"
  flock 8
  STATE_LOCKED=1
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

# Starts the machine's munged (as the munge user, socket in /run/munge) unless a credential round-trips.
ensure_munge() {
  munge_works && return 0
  mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  chmod 0755 /run/munge
  chmod 0700 /var/log/munge /var/lib/munge /etc/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    runuser -u munge -- /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key >&2
  fi
  # --force: a munged killed earlier leaves its socket and pid file behind.
  runuser -u munge -- /usr/sbin/munged --force >&2 8>&- || true
  for _ in $(seq 1 50); do munge_works && return 0; sleep 0.1; done
  log "munged does not answer (munge -n | unmunge fails); last lines of /var/log/munge/munged.log:"
  tail -n 20 /var/log/munge/munged.log >&2 2>/dev/null || true
  return 1
}

# Prints a free TCP port on 127.0.0.1 (node is there wherever the tests run).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Loads the state file into SLURM_CONF/SLURM_DIR/SLURM_NODE; false when absent.
load_state() {
  [[ -f "$STATE_FILE" ]] || return 1
  SLURM_CONF="" SLURM_DIR="" SLURM_NODE=""
  # shellcheck disable=SC1090
  source "$STATE_FILE"
  export SLURM_CONF # for the Slurm commands (and daemons) this script runs
  [[ -n "$SLURM_CONF" && -n "$SLURM_DIR" && -f "$SLURM_CONF" ]]
}

# True when pid $1 runs and is not a zombie (pid 1 here may be slow to reap the daemons' exits).
alive() {
  local line
  read -r line 2>/dev/null <"/proc/$1/stat" || return 1
  [[ "${line##*) }" != Z* ]]
}

# The pid in pid file $1 when that process is alive and runs program $2 (not a recycled pid).
daemon_pid() {
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$2" || return 1
  echo "$pid"
}

# True when the state file names a cluster whose daemons are alive and whose controller answers.
running() {
  load_state || return 1
  daemon_pid "$SLURM_DIR/slurmctld.pid" slurmctld >/dev/null || return 1
  daemon_pid "$SLURM_DIR/slurmd.pid" slurmd >/dev/null || return 1
  timeout 10 sinfo -h -o %T >/dev/null 2>&1
}

print_env() {
  printf 'export SLURM_CONF=%q\n' "$SLURM_CONF"
}

# Writes $SLURM_DIR/slurm.conf for one node with $1 CPUs and $2 MB, controller/slurmd on ports $3/$4.
write_config() {
  local cpus="$1" memory="$2" ctld_port="$3" slurmd_port="$4"
  mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool"
  cat >"$SLURM_CONF" <<EOF
# Private single-node test cluster written by scripts/slurm-cluster.sh (see docs/slurm-cluster.md).
ClusterName=runnable-test
SlurmctldHost=$SLURM_NODE(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups here: processes are tracked by parentage, tasks are not bound to CPUs.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
# A finished job is not requeued behind the submitter's back: the executor owns retries.
JobRequeue=0
# No slurmdbd, so no sacct: finished jobs stay in slurmctld for MinJobAge seconds (scontrol/squeue
# show their state, reason and exit code) and each one leaves a line in the jobcomp file for good.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_DIR/jobcomp.log
MinJobAge=300
MaxJobCount=100000
MaxArraySize=100001
# CPUs and memory are consumable per CPU (not per core: on a machine with two threads per core a
# 1-CPU job would hold both threads, and two 1-CPU jobs could never run at once): a 1-CPU job leaves
# the other CPUs free.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=256
# Throughput on a tiny node. slurmctld starts jobs at once only when a node's epilog-complete message
# arrives (without an Epilog slurmd skips it), else on its 1 s background tick; /bin/true as Epilog
# makes every job's end start the next pending one (an array task, a dependent job) immediately.
Epilog=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1,sched_min_interval=0,default_queue_depth=1000,partition_job_depth=0,batch_sched_delay=0
# A job past its --time gets SIGTERM, then SIGKILL 2 s later; no grace minutes.
KillWait=2
OverTimeLimit=0
InactiveLimit=0
ReturnToService=2
# A request the partition can never satisfy (more CPUs or memory than the node has) fails at submit
# instead of pending for ever with Reason=PartitionConfig.
EnforcePartLimits=ALL
# A job whose --dependency can no longer be met (afterok on a failed job) is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
SlurmdTimeout=60
# The node is what this file says (CPUs, memory), not what slurmd counts: a node configured with more
# than slurmd finds is not drained ("Low socket*core*thread count").
SlurmdParameters=config_overrides
NodeName=$SLURM_NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=$PARTITION Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

# Waits until sinfo shows the node idle; on failure prints the log tails and returns 1.
wait_idle() {
  local started=$SECONDS state=""
  while ((SECONDS - started < START_TIMEOUT)); do
    state="$(timeout 10 sinfo -h -n "$SLURM_NODE" -o %T 2>/dev/null || true)"
    [[ "$state" == idle ]] && return 0
    if ! daemon_pid "$SLURM_DIR/slurmctld.pid" slurmctld >/dev/null && ((SECONDS - started > 5)); then break; fi
    sleep 0.2
  done
  log "the node is not idle after $((SECONDS - started)) s (sinfo says '${state:-no answer}'); last lines of the logs:"
  local file
  for file in slurmctld.log slurmd.log; do
    echo "--- $SLURM_DIR/$file" >&2
    tail -n 20 "$SLURM_DIR/$file" >&2 2>/dev/null || true
  done
  return 1
}

cmd_start() {
  ensure_root
  lock_state
  if running; then print_env; return 0; fi
  [[ -f "$STATE_FILE" ]] && cmd_stop >/dev/null
  ensure_installed
  ensure_munge
  local started=$SECONDS cpus memory ctld_port slurmd_port
  # At least 2 CPUs, whatever this machine shows (a container limited to one CPU, say): the tests run
  # two 1-CPU jobs at once, and nothing binds tasks to CPUs here (task/none), so a CPU is bookkeeping.
  cpus="${RUNNABLE_SLURM_CPUS:-$(( $(nproc) > 2 ? $(nproc) : 2 ))}"
  memory="${RUNNABLE_SLURM_MEMORY_MB:-$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)}"
  ctld_port="$(free_port)"
  slurmd_port="$(free_port)"
  while [[ "$slurmd_port" == "$ctld_port" ]]; do slurmd_port="$(free_port)"; done
  SLURM_DIR="$(mktemp -d "${TMPDIR:-/tmp}/runnable-slurm.XXXXXX")"
  chmod 0755 "$SLURM_DIR"
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  SLURM_NODE="$(hostname -s)"
  write_config "$cpus" "$memory" "$ctld_port" "$slurmd_port"
  printf 'SLURM_CONF=%s\nSLURM_DIR=%s\nSLURM_NODE=%s\n' "$SLURM_CONF" "$SLURM_DIR" "$SLURM_NODE" >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
  # Both daemonize and write their pid files; the slurmstepds inherit SLURM_CONF (how `stop` finds them).
  slurmctld -f "$SLURM_CONF" >>"$SLURM_DIR/start.log" 2>&1 </dev/null 8>&- \
    || { log "slurmctld did not start:"; cat "$SLURM_DIR/start.log" >&2; tail -n 20 "$SLURM_DIR/slurmctld.log" >&2 2>/dev/null; cmd_stop >/dev/null; return 1; }
  slurmd -f "$SLURM_CONF" -N "$SLURM_NODE" >>"$SLURM_DIR/start.log" 2>&1 </dev/null 8>&- \
    || { log "slurmd did not start:"; cat "$SLURM_DIR/start.log" >&2; tail -n 20 "$SLURM_DIR/slurmd.log" >&2 2>/dev/null; cmd_stop >/dev/null; return 1; }
  wait_idle || { cmd_stop >/dev/null; return 1; }
  log "started in $((SECONDS - started)) s: node $SLURM_NODE ($cpus CPUs, $memory MB), ports $ctld_port/$slurmd_port, folder $SLURM_DIR"
  print_env
}

# Pids of the slurmstepd processes that serve this cluster's jobs (their environment names our slurm.conf).
# /proc rather than pgrep: procps is not on every machine the tests run on.
stepd_pids() {
  local dir comm
  for dir in /proc/[0-9]*; do
    read -r comm 2>/dev/null <"$dir/comm" || continue
    [[ "$comm" == slurmstepd ]] || continue
    grep -qsF "SLURM_CONF=$SLURM_CONF" "$dir/environ" 2>/dev/null && echo "${dir#/proc/}"
  done
  return 0
}

# Pids of the children of pid $1 (the 4th field of /proc/PID/stat, read after the command's parenthesis).
children_of() {
  local file line rest ppid
  for file in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$file" || continue
    rest="${line##*) }"
    read -r _ ppid _ <<<"$rest"
    [[ "$ppid" == "$1" ]] && { file="${file#/proc/}"; echo "${file%/stat}"; }
  done
  return 0
}

# Sends signal $2 to pid $1 and all its descendants.
kill_tree() {
  local child
  for child in $(children_of "$1"); do kill_tree "$child" "$2"; done
  kill "-$2" "$1" 2>/dev/null || true
}

# Stops the daemon in pid file $1 (program $2): TERM, up to 10 s, then KILL.
stop_daemon() {
  local pid
  pid="$(daemon_pid "$1" "$2")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do alive "$pid" || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  lock_state
  if ! load_state; then echo "not running"; rm -f "$STATE_FILE"; return 0; fi
  local pid
  # Cancel every job first: slurmstepd (and the job's processes) outlive a stopped slurmd.
  if daemon_pid "$SLURM_DIR/slurmctld.pid" slurmctld >/dev/null; then
    timeout 10 scancel --partition="$PARTITION" >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do [[ -z "$(stepd_pids)" ]] && break; sleep 0.25; done
  fi
  stop_daemon "$SLURM_DIR/slurmd.pid" slurmd
  stop_daemon "$SLURM_DIR/slurmctld.pid" slurmctld
  for pid in $(stepd_pids); do kill_tree "$pid" KILL; done
  [[ -n "$SLURM_DIR" && "$SLURM_DIR" == */runnable-slurm.* ]] && rm -rf "$SLURM_DIR"
  rm -f "$STATE_FILE"
  echo "stopped"
}

cmd_status() {
  if running; then
    echo "running: SLURM_CONF=$SLURM_CONF, node $SLURM_NODE $(sinfo -h -n "$SLURM_NODE" -o %T)"
    return 0
  fi
  echo "not running"
  return 1
}

cmd_env() {
  running || { log "not running: run scripts/slurm-cluster.sh start"; return 1; }
  print_env
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
