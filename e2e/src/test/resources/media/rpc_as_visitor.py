# Joins a LiveKit room as "visitor", a participant of the standard kind, and asks the phone caller's participant to
# hang up, which only agents may do; prints the outcome as one JSON line.
#   rpc_as_visitor.py URL ROOM
import asyncio, json, sys
import lk_run
from livekit import api, rtc

URL, ROOM = sys.argv[1], sys.argv[2]

async def main():
    token = (api.AccessToken("devkey", "secret").with_identity("visitor")
             .with_grants(api.VideoGrants(room_join=True, room=ROOM)).to_jwt())
    room = rtc.Room()
    await room.connect(URL, token, rtc.RoomOptions(auto_subscribe=False))
    try:
        for _ in range(200):
            phone = next((p for p in room.remote_participants.values()
                          if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
                          and p.attributes.get("sip.callStatus") == "active"), None)
            if phone:
                break
            await asyncio.sleep(0.1)
        else:
            raise TimeoutError("no answered phone call in the room")
        try:
            result = await room.local_participant.perform_rpc(destination_identity=phone.identity,
                                                              method="dialtone.hangup", payload="{}")
            print(json.dumps({"result": result}), flush=True)
        except rtc.RpcError as error:
            print(json.dumps({"error": {"code": error.code, "message": error.message}}), flush=True)
    finally:
        await room.disconnect()

lk_run.run(main())
