// room-agent stands in for the voice agent of a phone call in bench/vs-livekit-sip.sh: both gateways answer a
// call only once someone in the room publishes audio (livekit-sip always, Dialtone with answerWhen: firstTrack),
// so the side-by-side needs a participant that joins every call's room as it opens, cheaply enough that it is
// not what limits the call rate. On livekit-server's room_started webhook for a room whose name starts with
// -prefix it joins, publishes an Opus track of silence frames (the SFU announces a track once RTP flows) and
// leaves when the room's SIP participant does, or after -alone seconds if none has joined (a call that failed
// before its participant joined must not keep the room open). It prints its counts once a second and stops after
// -seconds.
//
//	room-agent -url ws://10.204.0.1:7880 -key K -secret S -prefix call- -listen 127.0.0.1:7990 -seconds 3600
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// opusSilence is one 20 ms Opus frame of silence: the TOC byte (CELT, fullband, 20 ms, one frame), then the frame.
var opusSilence = []byte{0xf8, 0xff, 0xfe}

// silence paces the SDK's writer, which asks for the next sample as soon as one returns, on a ticker so the
// frames keep a 20 ms cadence however long each write takes.
type silence struct {
	lksdk.BaseSampleProvider
	ticker *time.Ticker
}

func newSilence() *silence { return &silence{ticker: time.NewTicker(20 * time.Millisecond)} }

func (s *silence) NextSample(ctx context.Context) (media.Sample, error) {
	select {
	case <-ctx.Done():
		return media.Sample{}, ctx.Err()
	case <-s.ticker.C:
		return media.Sample{Data: opusSilence, Duration: 20 * time.Millisecond}, nil
	}
}

func (s *silence) Close() error {
	s.ticker.Stop()
	return nil
}

type counts struct{ joined, active, failed atomic.Int64 }

func main() {
	url := flag.String("url", "", "livekit-server's WebSocket URL")
	key := flag.String("key", "", "API key")
	secret := flag.String("secret", "", "API secret")
	prefix := flag.String("prefix", "call-", "join rooms whose name starts with this")
	listen := flag.String("listen", "127.0.0.1:7990", "address of the webhook listener")
	seconds := flag.Int("seconds", 3600, "stop after this many seconds")
	alone := flag.Int("alone", 30, "leave a room no SIP participant has joined after this many seconds")
	flag.Parse()
	if *url == "" || *key == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "room-agent: -url, -key and -secret are required")
		os.Exit(2)
	}
	// pion logs every connection's state changes; under load that would be most of the agent's work.
	lksdk.SetLogger(logger.GetDiscardLogger())
	var c counts
	lifetime := time.Duration(*seconds) * time.Second

	join := func(room string, n int64) {
		token, err := auth.NewAccessToken(*key, *secret).SetIdentity(fmt.Sprintf("agent-%d", n)).
			SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: room}).ToJWT()
		if err != nil {
			c.failed.Add(1)
			return
		}
		left := make(chan struct{})
		var once sync.Once
		leave := func() { once.Do(func() { close(left) }) }
		isSIP := func(p *lksdk.RemoteParticipant) bool {
			return p.Kind() == lksdk.ParticipantSIP || strings.HasPrefix(p.Identity(), "sip_")
		}
		var sipSeen atomic.Bool
		callbacks := lksdk.NewRoomCallback()
		callbacks.OnParticipantConnected = func(p *lksdk.RemoteParticipant) {
			if isSIP(p) {
				sipSeen.Store(true)
			}
		}
		callbacks.OnParticipantDisconnected = func(p *lksdk.RemoteParticipant) {
			if isSIP(p) {
				leave()
			}
		}
		callbacks.OnDisconnected = leave
		conn, err := lksdk.ConnectToRoomWithToken(*url, token, callbacks, lksdk.WithAutoSubscribe(false))
		if err != nil {
			c.failed.Add(1)
			return
		}
		defer conn.Disconnect()
		track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
		if err == nil {
			_, err = conn.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "agent", Source: livekit.TrackSource_MICROPHONE})
		}
		for _, p := range conn.GetRemoteParticipants() {
			if isSIP(p) {
				sipSeen.Store(true)
			}
		}
		if err == nil {
			err = track.StartWrite(newSilence(), nil)
		}
		if err != nil {
			c.failed.Add(1)
			return
		}
		c.joined.Add(1)
		c.active.Add(1)
		defer c.active.Add(-1)
		deadline := time.After(lifetime)
		noCaller := time.After(time.Duration(*alone) * time.Second)
		for {
			select {
			case <-left:
				return
			case <-deadline:
				return
			case <-noCaller:
				if !sipSeen.Load() {
					return
				}
			}
		}
	}

	var seq atomic.Int64
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var event struct {
			Event string `json:"event"`
			Room  struct {
				Name string `json:"name"`
			} `json:"room"`
		}
		// livekit-server signs its webhooks; the listener is on loopback inside the bench's namespace, so the
		// signature is not checked.
		if json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&event) == nil &&
			event.Event == "room_started" && strings.HasPrefix(event.Room.Name, *prefix) {
			go join(event.Room.Name, seq.Add(1))
		}
		w.WriteHeader(http.StatusOK)
	})
	server := &http.Server{Addr: *listen, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			fmt.Fprintln(os.Stderr, "room-agent:", err)
			os.Exit(1)
		}
	}()
	fmt.Printf("room-agent: webhook on %s, joining rooms %s* for %d s\n", *listen, *prefix, *seconds)
	last := ""
	for deadline := time.Now().Add(lifetime); time.Now().Before(deadline); time.Sleep(time.Second) {
		now := fmt.Sprintf("room-agent: joined %d active %d failed %d", c.joined.Load(), c.active.Load(), c.failed.Load())
		if now != last {
			fmt.Println(now)
			last = now
		}
	}
	_ = server.Close()
}
