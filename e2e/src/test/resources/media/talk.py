# Joins a LiveKit room as "talker" and publishes a sine tone for a while: the room side of RoomAudioIT.
#   talk.py URL ROOM HERTZ SECONDS
import asyncio, math, sys
import numpy as np
import lk_run
from livekit import api, rtc

URL, ROOM, HZ, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
RATE, FRAME = 48000, 480

async def main():
    token = (api.AccessToken("devkey", "secret").with_identity("talker")
             .with_grants(api.VideoGrants(room_join=True, room=ROOM)).to_jwt())
    room = rtc.Room()
    # It only speaks, so it subscribes to nothing: the client's native layer panicked now and then in this role
    # (RoomAudioIT), and a client with no subscriptions has less to set up and tear down.
    await room.connect(URL, token, rtc.RoomOptions(auto_subscribe=False))
    source = rtc.AudioSource(RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track("tone", source)
    await room.local_participant.publish_track(track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    n = 0
    for _ in range(int(SECONDS * 100)):
        frame = rtc.AudioFrame.create(RATE, 1, FRAME)
        samples = np.frombuffer(frame.data, dtype=np.int16)
        t = (np.arange(FRAME) + n) / RATE
        np.copyto(samples, (8000 * np.sin(2 * math.pi * HZ * t)).astype(np.int16))
        n += FRAME
        await source.capture_frame(frame)
    await room.disconnect()

lk_run.run(main())
