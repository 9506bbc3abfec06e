"""Encoding races to H.264 MP4 with ffmpeg: one pipe per segment, segments painted at once and joined."""
from backend.services.encoding.checks import until_stopped
from backend.services.encoding.ffmpeg import ENCODE_FAILED, EncodedVideo, EncoderError, find_ffmpeg
from backend.services.encoding.segments import Encoding, encode_race

__all__ = ["ENCODE_FAILED", "EncodedVideo", "EncoderError", "Encoding", "encode_race", "find_ffmpeg", "until_stopped"]
