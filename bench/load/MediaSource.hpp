#pragma once
// The load generator's media, encoded once at start and replayed by every leg: VP8 (libvpx, realtime)
// of a generated moving test pattern, and Opus (libopus, 20 ms frames) of a 440 Hz tone. The video
// loop starts with its only key frame, so a leg that is asked for a key frame (PLI/FIR) restarts the
// loop, and the loop's wrap-around is itself a key frame: what a receiver gets always decodes.
#include <cstdint>
#include <string>
#include <vector>

namespace medicall::bench::load {

struct EncodedFrame {
  std::vector<uint8_t> data;
  bool keyframe = false;
};

struct MediaSourceOptions {
  unsigned width = 640;
  unsigned height = 480;
  unsigned fps = 15;
  unsigned videoKbps = 600;
  unsigned videoSeconds = 10;  // length of the video loop
  unsigned audioKbps = 32;
};

class MediaSource {
 public:
  // Encodes; empty frames and an error when libvpx or libopus fail.
  static MediaSource Encode(const MediaSourceOptions& options);

  const std::vector<EncodedFrame>& Video() const { return video_; }
  const std::vector<EncodedFrame>& Audio() const { return audio_; }  // 20 ms each
  const MediaSourceOptions& Options() const { return options_; }
  const std::string& Error() const { return error_; }

 private:
  MediaSourceOptions options_;
  std::vector<EncodedFrame> video_;
  std::vector<EncodedFrame> audio_;
  std::string error_;
};

}  // namespace medicall::bench::load
