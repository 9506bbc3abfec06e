"""Listening-history exports (Spotify's and other services'): recognise an upload and unpack its history safely."""
from src.exports.errors import ExportError, ExportTooLarge, ExportUnreadable, ExportUnusable
from src.exports.recognise import ROW_FORMATS
from src.exports.row_formats import PLAYS_COLUMNS, RowFormat
from src.exports.unpack import Limits, UnpackedExport, unpack_upload

__all__ = ["PLAYS_COLUMNS", "ROW_FORMATS", "ExportError", "ExportTooLarge", "ExportUnreadable", "ExportUnusable",
           "Limits", "RowFormat", "UnpackedExport", "unpack_upload"]
