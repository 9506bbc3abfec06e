"""Spotify's data-export formats: recognise an upload and unpack its listening history safely."""
from src.exports.errors import ExportError, ExportTooLarge, ExportUnreadable, ExportUnusable
from src.exports.row_formats import PLAYS_COLUMNS, ROW_FORMATS, RowFormat
from src.exports.unpack import Limits, UnpackedExport, unpack_upload

__all__ = ["PLAYS_COLUMNS", "ROW_FORMATS", "ExportError", "ExportTooLarge", "ExportUnreadable", "ExportUnusable",
           "Limits", "RowFormat", "UnpackedExport", "unpack_upload"]
