package io.dialtone.gateway.webrtc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The media sections of an offer LiveKit makes to the subscriber connection, as the answer must mirror them: each
 * section's kind, mid, formats and direction, the codec an audio section is answered with (Opus where offered, else
 * G.711), and which SSRC carries
 * which track (a=msid and a=ssrc ... msid:), so the room's audio can be told apart by track.
 */
public record OfferedSections(List<Section> sections, Map<Long, String> tracksBySsrc) {

    /**
     * @param port   0 for a section the offerer has taken out
     * @param codec  for audio: opus/48000/2 if offered, else PCMU or PCMA if offered
     * @param track  the track id of the section's a=msid
     */
    public record Section(String kind, String mid, int port, String protocol, List<String> formats,
                          String direction, Optional<RemoteDescription.Codec> codec, Optional<String> track) {
    }

    public static OfferedSections parse(String sdp) throws RemoteDescription.InvalidDescription {
        List<Section> sections = new ArrayList<>();
        Map<Long, String> tracks = new HashMap<>();
        String[] media = null;
        String mid = null;
        String direction = "sendrecv";
        Integer opus = null;
        String track = null;
        for (String line : (sdp + "\nm=end").split("\\r?\\n")) {
            if (line.startsWith("m=")) {
                if (media != null) {
                    if (mid == null) {
                        throw new RemoteDescription.InvalidDescription("a media section of the offer has no a=mid");
                    }
                    sections.add(section(media, mid, direction, opus, track));
                }
                media = line.equals("m=end") ? null : line.substring(2).trim().split("\\s+");
                if (media != null && media.length < 4) {
                    throw new RemoteDescription.InvalidDescription("a media line of the offer is short: " + line);
                }
                mid = null;
                direction = "sendrecv";
                opus = null;
                track = null;
            } else if (media == null) {
                continue;
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring(6).trim();
            } else if (line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly")
                    || line.equals("a=inactive")) {
                direction = line.substring(2);
            } else if (line.startsWith("a=rtpmap:") && line.toLowerCase(java.util.Locale.ROOT).contains(" opus/48000")) {
                try {
                    opus = Integer.parseInt(line.substring(9, line.indexOf(' ')));
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    throw new RemoteDescription.InvalidDescription("an a=rtpmap line does not parse: " + line);
                }
            } else if (line.startsWith("a=msid:")) {
                String[] ids = line.substring(7).trim().split("\\s+");
                track = ids.length > 1 ? ids[1] : ids[0];
            } else if (line.startsWith("a=ssrc:") && line.contains(" msid:")) {
                String[] fields = line.substring(7).trim().split("\\s+");
                try {
                    long ssrc = Long.parseLong(fields[0]);
                    String[] ids = line.substring(line.indexOf(" msid:") + 6).trim().split("\\s+");
                    tracks.put(ssrc, ids.length > 1 ? ids[1] : ids[0]);
                } catch (NumberFormatException e) {
                    throw new RemoteDescription.InvalidDescription("an a=ssrc line does not parse: " + line);
                }
            } else if (line.startsWith("a=ssrc:") && track != null) {
                try {
                    tracks.putIfAbsent(Long.parseLong(line.substring(7).trim().split("\\s+")[0]), track);
                } catch (NumberFormatException e) {
                    throw new RemoteDescription.InvalidDescription("an a=ssrc line does not parse: " + line);
                }
            }
        }
        return new OfferedSections(List.copyOf(sections), Map.copyOf(tracks));
    }

    private static Section section(String[] media, String mid, String direction, Integer opus, String track)
            throws RemoteDescription.InvalidDescription {
        int port;
        try {
            port = Integer.parseInt(media[1]);
        } catch (NumberFormatException e) {
            throw new RemoteDescription.InvalidDescription("a media line's port does not parse: " + media[1]);
        }
        List<String> formats = List.of(media).subList(3, media.length);
        Optional<RemoteDescription.Codec> codec = !media[0].equals("audio") ? Optional.empty()
                : opus != null ? Optional.of(new RemoteDescription.Codec(opus, "opus", 48000))
                : formats.contains("0") ? Optional.of(new RemoteDescription.Codec(0, "PCMU", 8000))
                : formats.contains("8") ? Optional.of(new RemoteDescription.Codec(8, "PCMA", 8000))
                : Optional.empty();
        return new Section(media[0], mid, port, media[2], formats, direction, codec, Optional.ofNullable(track));
    }
}
