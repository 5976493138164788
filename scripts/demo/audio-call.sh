#!/usr/bin/env bash
# One call whose audio crosses both ways, measured: sipp dials +15550199 as +15550100 and plays a 440 Hz tone as the
# caller's voice; a participant in the room records the caller and speaks a 1 kHz tone; a UDP listener at the
# caller's media address records what reaches the phone. Prints what each side heard and fails unless each heard
# the other's tone. Run inside the network namespace of scripts/netns-run, with the gateway on 127.0.0.1:5060 and a
# LiveKit dev server on 127.0.0.1:7880 (scripts/demo.sh and scripts/run-standalone.sh do both).
#   scripts/demo/audio-call.sh WORKDIR GATEWAY_LOG
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$1
gateway_log=$2
tools=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
# shellcheck disable=SC1091
source "$tools/env"
say() { printf '    %s\n' "$*" >&2; }
fail() { printf 'audio-call: %s\n' "$*" >&2; exit 1; }
started=()
trap 'for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what did not happen in time; last lines of $gateway_log: $(tail -n 5 "$gateway_log")"
    sleep 0.5
  done
}
media=$root/e2e/src/test/resources/media
"$DIALTONE_PYTHON" "$root/scripts/demo/tone-pcap.py" "$work/tone-440.pcap" 440 10
# The phone's ear: what reaches the address the caller's SDP offers (127.0.0.1:31000).
"$DIALTONE_PYTHON" "$media/rtp_listen.py" 127.0.0.1 31000 16 1000 >"$work/phone-heard.json" 2>"$work/phone-ear.log" &
ear=$!
started+=("$ear")
sipp -sf "$root/examples/sipp/call-with-audio.xml" -key phone_port 31000 -key tone "$work/tone-440.pcap" \
  -s +15550199 -d 12000 -m 1 -i 127.0.0.1 -p 5070 -mp 6000 -timeout 40 -nostdin -trace_err \
  -error_file "$work/sipp.err" 127.0.0.1:5060 >"$work/sipp.log" 2>&1 </dev/null &
sipp_pid=$!
started+=("$sipp_pid")
wait_for 20 "the call answered" grep -q "event=answered" "$gateway_log"
say "gateway: $(grep -m1 'event=answered' "$gateway_log" | sed 's/.*event=answered/event=answered/')"
room=$(grep -m1 'event=answered' "$gateway_log" | grep -o 'room=[^ ]*' | cut -d= -f2)
PYTHONWARNINGS=ignore "$DIALTONE_PYTHON" "$media/listen.py" ws://127.0.0.1:7880 "$room" 5 440 sip_+15550100 \
  >"$work/room-heard.json" 2>"$work/room-ear.log" &
listener=$!
started+=("$listener")
PYTHONWARNINGS=ignore "$DIALTONE_PYTHON" "$media/talk.py" ws://127.0.0.1:7880 "$room" 1000 7 >"$work/talker.log" 2>&1 &
talker=$!
started+=("$talker")
sleep 3
say "LiveKit now has:"
PYTHONWARNINGS=ignore "$DIALTONE_PYTHON" - <<'PY' >&2
import asyncio
from livekit import api

async def main():
    lk = api.LiveKitAPI("http://127.0.0.1:7880", "devkey", "secret")
    try:
        for room in (await lk.room.list_rooms(api.ListRoomsRequest())).rooms:
            print(f"      room {room.name}")
            for p in (await lk.room.list_participants(api.ListParticipantsRequest(room=room.name))).participants:
                tracks = ", ".join(f"{t.name} ({t.mime_type})" for t in p.tracks) or "no track"
                print(f"        participant {p.identity} ({p.name}), sip.callStatus={p.attributes.get('sip.callStatus')}"
                      f", publishing {tracks}")
    finally:
        await lk.aclose()

asyncio.run(main())
PY
wait "$listener" || true
wait "$talker" || true
if ! wait "$sipp_pid"; then
  cat "$work/sipp.log" "$work/sipp.err" >&2 2>/dev/null || true
  fail "sipp reported a failed call"
fi
wait "$ear" || true
say "sipp: the call completed (INVITE, 200 OK, ACK, 12 s of audio, BYE)"
"$DIALTONE_PYTHON" - "$work/room-heard.json" "$work/phone-heard.json" <<'PY' >&2 || fail "the audio did not cross both ways (logs: $work)"
import json, sys

def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return {}

room, phone = load(sys.argv[1]), load(sys.argv[2])
ok = True
if room.get("samples", 0) > 0:
    print(f"    phone -> room: the room heard {room['from']} for {room['samples'] / 48000:.1f} s at RMS level "
          f"{room['rms']:.0f} (of 32767), {100 * room['share']:.0f} % of its power at 440 Hz: the caller's tone")
    ok &= room["share"] > 0.5
else:
    print("    phone -> room: the room heard nothing from the caller")
    ok = False
if phone.get("seconds", 0) > 0:
    print(f"    room -> phone: the phone heard {phone['seconds']:.1f} s of the room at RMS level {phone['rms']:.0f} "
          f"(of 32767), {100 * phone['share']:.0f} % of its power at 1 kHz: the participant's tone "
          f"({phone['packets']} RTP packets, {phone['dropouts']} dropouts)")
    ok &= phone["share"] > 0.5
else:
    print(f"    room -> phone: the phone heard no audio ({phone.get('packets', 0)} RTP packets)")
    ok = False
sys.exit(0 if ok else 1)
PY
