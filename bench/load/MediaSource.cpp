#include "MediaSource.hpp"

#include <opus/opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <cmath>
#include <numbers>

namespace medicall::bench::load {

namespace {

// A frame of the pattern: diagonal bands moving right, and a block that moves across.
void DrawPattern(vpx_image_t& image, unsigned index) {
  for (unsigned y = 0; y < image.d_h; ++y) {
    uint8_t* row = image.planes[0] + y * static_cast<unsigned>(image.stride[0]);
    for (unsigned x = 0; x < image.d_w; ++x) row[x] = static_cast<uint8_t>((x + y + index * 4) & 0xff);
  }
  const unsigned bx = (index * 8) % (image.d_w - 64);
  for (unsigned y = image.d_h / 2 - 32; y < image.d_h / 2 + 32; ++y) {
    uint8_t* row = image.planes[0] + y * static_cast<unsigned>(image.stride[0]);
    for (unsigned x = bx; x < bx + 64; ++x) row[x] = 235;
  }
  for (int plane = 1; plane < 3; ++plane) {
    for (unsigned y = 0; y < (image.d_h + 1) / 2; ++y) {
      uint8_t* row = image.planes[plane] + y * static_cast<unsigned>(image.stride[plane]);
      for (unsigned x = 0; x < (image.d_w + 1) / 2; ++x)
        row[x] = static_cast<uint8_t>(128 + (plane == 1 ? 1 : -1) * static_cast<int>((x + index) % 64) / 2);
    }
  }
}

}  // namespace

MediaSource MediaSource::Encode(const MediaSourceOptions& options) {
  MediaSource source;
  source.options_ = options;

  vpx_codec_enc_cfg_t config;
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK) {
    source.error_ = "vpx_codec_enc_config_default failed";
    return source;
  }
  config.g_w = options.width;
  config.g_h = options.height;
  config.g_timebase = {1, static_cast<int>(options.fps)};
  config.rc_target_bitrate = options.videoKbps;
  config.rc_end_usage = VPX_CBR;
  config.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  config.g_lag_in_frames = 0;
  config.kf_mode = VPX_KF_DISABLED;  // one key frame, the first; the loop restarts at it
  config.g_threads = 1;
  config.rc_dropframe_thresh = 0;  // one encoded frame per input frame: the loop keeps the timing
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK) {
    source.error_ = "vpx_codec_enc_init failed";
    return source;
  }
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 8);
  vpx_image_t image;
  vpx_img_alloc(&image, VPX_IMG_FMT_I420, options.width, options.height, 16);
  const unsigned frames = options.fps * options.videoSeconds;
  for (unsigned i = 0; i < frames; ++i) {
    DrawPattern(image, i);
    if (vpx_codec_encode(&codec, &image, i, 1, i == 0 ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME) !=
        VPX_CODEC_OK) {
      source.error_ = "vpx_codec_encode failed";
      break;
    }
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&codec, &iter)) {
      if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
      source.video_.push_back(
          {{bytes, bytes + packet->data.frame.sz}, (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0});
    }
  }
  vpx_img_free(&image);
  vpx_codec_destroy(&codec);
  if (source.video_.empty() || !source.video_.front().keyframe) {
    if (source.error_.empty()) source.error_ = "the VP8 loop does not start with a key frame";
    return source;
  }

  int error = 0;
  OpusEncoder* opus = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error);
  if (opus == nullptr || error != OPUS_OK) {
    source.error_ = "opus_encoder_create failed";
    return source;
  }
  opus_encoder_ctl(opus, OPUS_SET_BITRATE(static_cast<opus_int32>(options.audioKbps * 1000)));
  std::vector<opus_int16> pcm(960);
  std::vector<uint8_t> out(1500);
  for (unsigned frame = 0; frame < 50; ++frame) {  // 1 s of 440 Hz (an integer number of periods)
    for (unsigned i = 0; i < pcm.size(); ++i) {
      const double t = static_cast<double>(frame * 960 + i) / 48000.0;
      pcm[i] = static_cast<opus_int16>(8000 * std::sin(2 * std::numbers::pi * 440 * t));
    }
    const opus_int32 n = opus_encode(opus, pcm.data(), 960, out.data(), static_cast<opus_int32>(out.size()));
    if (n <= 0) {
      source.error_ = "opus_encode failed";
      break;
    }
    source.audio_.push_back({{out.begin(), out.begin() + n}, false});
  }
  opus_encoder_destroy(opus);
  return source;
}

}  // namespace medicall::bench::load
