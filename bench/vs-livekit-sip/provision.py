# livekit-server's side of bench/vs-livekit-sip.sh, through its API:
#   provision.py URL API_KEY API_SECRET NUMBER PREFIX   an inbound trunk for the called number from any address,
#       and a dispatch rule putting every call in a room of its own whose name starts with PREFIX (what
#       Dialtone's `individual` rule does on its side), so livekit-sip takes the bench's calls
#   provision.py URL API_KEY API_SECRET rooms            prints how many rooms livekit-server has
import asyncio, sys

from livekit import api
from livekit.protocol import sip


async def provision(lk, number, prefix):
    trunk = await lk.sip.create_inbound_trunk(sip.CreateSIPInboundTrunkRequest(trunk=sip.SIPInboundTrunkInfo(
        name="bench", numbers=[number], allowed_addresses=["0.0.0.0/0"])))
    rule = await lk.sip.create_dispatch_rule(sip.CreateSIPDispatchRuleRequest(
        name="bench", trunk_ids=[trunk.sip_trunk_id], rule=sip.SIPDispatchRule(
            dispatch_rule_individual=sip.SIPDispatchRuleIndividual(room_prefix=prefix))))
    print(f"trunk {trunk.sip_trunk_id} for {number}, rule {rule.sip_dispatch_rule_id} (rooms {prefix}...)")


async def main():
    url, key, secret = sys.argv[1:4]
    lk = api.LiveKitAPI(url, key, secret)
    try:
        if sys.argv[4:] == ["rooms"]:
            print(len((await lk.room.list_rooms(api.ListRoomsRequest())).rooms))
        else:
            await provision(lk, sys.argv[4], sys.argv[5])
    finally:
        await lk.aclose()


asyncio.run(main())
