"""An agent that controls a phone call from its LiveKit room, through Dialtone's RPC methods.

    python agent.py URL ROOM ACTION [ACTION ...]

ACTION is one of
    transfer=TARGET   transfer the caller (REFER) to a tel: or sip: URI or a phone number; waits for the outcome
    dtmf=DIGITS       play DIGITS (0-9 * # A-D) to the caller
    hangup            end the call
    wait=SECONDS      pause
Each result is printed as one JSON line: {"action": ..., "result": ...} or {"action": ..., "error": {code, message}}.

It joins as a participant of kind "agent" (only agents may control calls), waits for the caller's SIP participant
to be answered (its sip.callStatus attribute turns "active"), and calls its methods with LocalParticipant.perform_rpc. LIVEKIT_API_KEY and LIVEKIT_API_SECRET name the key
(default: livekit-server --dev's devkey/secret). In a LiveKit Agents worker the same calls work from
ctx.room.local_participant: workers join as agents.
"""
import asyncio
import json
import os
import sys

from livekit import api, rtc

# A transfer's outcome comes when the caller's side reports the call to the target answered or failed: give it time.
TRANSFER_TIMEOUT_S = 40


async def caller(room: rtc.Room, timeout: float = 20) -> rtc.RemoteParticipant:
    """The phone caller: the room's participant of kind SIP, once its call is answered (sip.callStatus active)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for participant in room.remote_participants.values():
            if (participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
                    and participant.attributes.get("sip.callStatus") == "active"):
                return participant
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no answered phone call in {room.name} within {timeout} s")


async def control(room: rtc.Room, phone: rtc.RemoteParticipant, action: str) -> dict:
    name, _, argument = action.partition("=")
    if name == "wait":
        await asyncio.sleep(float(argument))
        return {"action": action, "result": "waited"}
    method, payload, timeout = {
        "transfer": ("dialtone.transfer", {"transferTo": argument}, TRANSFER_TIMEOUT_S),
        "dtmf": ("dialtone.dtmf", {"digits": argument}, 10),
        "hangup": ("dialtone.hangup", {}, 10),
    }[name]
    try:
        result = await room.local_participant.perform_rpc(destination_identity=phone.identity, method=method,
                                                          payload=json.dumps(payload), response_timeout=timeout)
        return {"action": action, "result": json.loads(result)}
    except rtc.RpcError as error:
        return {"action": action, "error": {"code": error.code, "message": error.message}}


async def main(url: str, room_name: str, actions: list[str]) -> None:
    token = (api.AccessToken(os.environ.get("LIVEKIT_API_KEY", "devkey"),
                             os.environ.get("LIVEKIT_API_SECRET", "secret"))
             .with_identity("call-control-agent").with_kind("agent")
             .with_grants(api.VideoGrants(room_join=True, room=room_name)).to_jwt())
    room = rtc.Room()
    await room.connect(url, token, rtc.RoomOptions(auto_subscribe=False))
    try:
        phone = await caller(room)
        for action in actions:
            print(json.dumps(await control(room, phone, action)), flush=True)
    finally:
        await room.disconnect()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
    # The SDK (livekit 1.2.0) disposes its native runtime at interpreter exit; when that runtime still delivers an
    # event then (the phone leaving after a hang-up), it aborts with "panic in a function that cannot unwind",
    # after the work above was done and printed. Leaving without that dispose avoids the race.
    sys.stdout.flush()
    os._exit(0)
