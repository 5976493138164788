# Joins a LiveKit room as "keypad" and sends SIP DTMF digits to it, 300 ms apart, as an agent would.
#   dtmf_send.py URL ROOM DIGITS
import asyncio, sys
import lk_run
from livekit import api, rtc

URL, ROOM, DIGITS = sys.argv[1], sys.argv[2], sys.argv[3]
CODES = {d: i for i, d in enumerate("0123456789*#ABCD")}

async def main():
    token = (api.AccessToken("devkey", "secret").with_identity("keypad")
             .with_grants(api.VideoGrants(room_join=True, room=ROOM)).to_jwt())
    room = rtc.Room()
    # It only speaks, so it subscribes to nothing: the client's native layer panicked now and then in this role
    # (RoomAudioIT), and a client with no subscriptions has less to set up and tear down.
    await room.connect(URL, token, rtc.RoomOptions(auto_subscribe=False))
    await asyncio.sleep(1)
    for digit in DIGITS:
        await room.local_participant.publish_dtmf(code=CODES[digit], digit=digit)
        await asyncio.sleep(0.3)
    await asyncio.sleep(0.5)
    await room.disconnect()

lk_run.run(main())
