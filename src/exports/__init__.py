"""Spotify's data-export formats: recognise an upload and unpack its listening history safely."""
from src.exports.errors import ExportError
from src.exports.formats import ACCOUNT, EXTENDED, RowFormat
from src.exports.unpack import Limits, UnpackedExport, unpack_upload

__all__ = ["ACCOUNT", "EXTENDED", "ExportError", "Limits", "RowFormat", "UnpackedExport", "unpack_upload"]
