# Gives livekit-sip in bench/vs-livekit-sip.sh what it needs to take the bench's calls, through livekit-server's
# SIP API: an inbound trunk for the called number from any address, and a dispatch rule putting every call in a
# room of its own whose name starts with PREFIX (what Dialtone's `individual` rule does on its side).
#   provision.py URL API_KEY API_SECRET NUMBER PREFIX
import asyncio, sys

from livekit import api
from livekit.protocol import sip


async def main():
    url, key, secret, number, prefix = sys.argv[1:6]
    lk = api.LiveKitAPI(url, key, secret)
    try:
        trunk = await lk.sip.create_inbound_trunk(sip.CreateSIPInboundTrunkRequest(trunk=sip.SIPInboundTrunkInfo(
            name="bench", numbers=[number], allowed_addresses=["0.0.0.0/0"])))
        rule = await lk.sip.create_dispatch_rule(sip.CreateSIPDispatchRuleRequest(
            name="bench", trunk_ids=[trunk.sip_trunk_id], rule=sip.SIPDispatchRule(
                dispatch_rule_individual=sip.SIPDispatchRuleIndividual(room_prefix=prefix))))
        print(f"trunk {trunk.sip_trunk_id} for {number}, rule {rule.sip_dispatch_rule_id} (rooms {prefix}...)")
    finally:
        await lk.aclose()


asyncio.run(main())
