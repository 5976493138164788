# Joins a LiveKit room as "dtmf-listener" and prints, as JSON, the SIP DTMF digits the room receives in a while.
#   dtmf_listen.py URL ROOM SECONDS
import asyncio, json, sys
import lk_run
from livekit import api, rtc

URL, ROOM, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])

async def main():
    token = (api.AccessToken("devkey", "secret").with_identity("dtmf-listener")
             .with_grants(api.VideoGrants(room_join=True, room=ROOM)).to_jwt())
    room = rtc.Room()
    digits = []

    @room.on("sip_dtmf_received")
    def on_dtmf(dtmf):
        digits.append({"digit": dtmf.digit, "code": dtmf.code,
                       "from": dtmf.participant.identity if dtmf.participant else None})

    await room.connect(URL, token)
    await asyncio.sleep(SECONDS)
    print(json.dumps(digits))
    await room.disconnect()

lk_run.run(main())
