"""When a name found by a keyless source is the name asked for: exact, but for case, accents, "&"/"and",
apostrophes and featured artists; and the state files that pause a source, read whatever they hold."""
from __future__ import annotations

import json
import time

import pytest

from backend.services.artwork.deezer import choose
from backend.services.artwork.names import same_name, without_featuring
from backend.services.artwork_store.source_state import MAX_PAUSE_S, SourceStates, paused_for


@pytest.mark.parametrize("asked, found", [("Beyoncé", "BEYONCE"), ("Simon & Garfunkel", "Simon and Garfunkel"),
                                          ("Guns N’ Roses", "Guns N' Roses"), ("Sigur Rós", "sigur ros"),
                                          ("Song (feat. Ana)", "Song"), ("Song [with Bo]", "song"),
                                          ("Song feat. Ana & Bo", "Song"), ("Song - ft. Ana", "Song (Feat. Cy)"),
                                          ("Mc Talibã,MC 3L", "MC TALIBA,MC 3L")])
def test_names_that_are_the_same(asked, found):
    assert same_name(asked, found)


@pytest.mark.parametrize("asked, found", [("The Beatles", "Beatles"), ("Song - Remastered 2011", "Song"),
                                          ("Adele", "Adele Tribute Band"), ("Little Feat", "Little"),
                                          ("", ""), ("Song", None), ("P!nk", "Pink")])
def test_names_that_are_not(asked, found):
    assert not same_name(asked, found)


def test_a_search_leaves_the_featured_artists_out():
    assert without_featuring("Song (feat. Ana) [with Bo]") == "Song"
    assert without_featuring("feat. Ana") == "feat. Ana"   # nothing would be left: asked as it is


def deezer_artist(name: str, fans: int, picture: str) -> dict:
    return {"name": name, "nb_fan": fans, "picture_medium": f"https://e-cdns-images.dzcdn.net/images/artist/{picture}"
                                                           "/250x250-000000-80-0-0.jpg"}


def test_among_namesakes_deezer_gives_the_one_with_most_fans_and_a_near_miss_nothing():
    items = [deezer_artist("Nirvana Tribute", 90000, "a"), deezer_artist("Nirvana", 120, "b"),
             deezer_artist("NIRVANA", 5000, "c"), "garbage", {"name": 7}]
    assert choose("artist", "Nirvana", None, items)["images"][0][0].split("/")[5] == "c"
    assert choose("artist", "Nirvana UK", None, items) == {}
    assert choose("artist", "Nirvana", None, [deezer_artist("Nirvana", 1, "")]) == {"images": []}   # a placeholder


def test_a_pause_outlives_the_process_and_a_damaged_file_is_no_pause(tmp_path):
    states = SourceStates(tmp_path / "sources")
    before, after = states.update("deezer-ab12", lambda state: paused_for(state, 60, "quota"))
    assert not before.paused() and after.paused()
    assert SourceStates(tmp_path / "sources").read("deezer-ab12") == after
    assert [p.name for p in (tmp_path / "sources").iterdir() if not p.name.startswith(".lock")] == ["deezer-ab12.json"]
    _, shorter = states.update("deezer-ab12", lambda state: paused_for(state, 5, "quota"))
    assert shorter == after   # a shorter wait never ends a longer pause
    (tmp_path / "sources" / "deezer-ab12.json").write_text(json.dumps({"paused_until": time.time() * 10,
                                                                        "reason": "quota"}))
    assert states.read("deezer-ab12").paused_until <= time.time() + MAX_PAUSE_S
    (tmp_path / "sources" / "deezer-ab12.json").write_bytes(b"\x00\xff")
    assert not states.read("deezer-ab12").paused()


def test_deezer_searches_of_one_process_stay_within_their_window(monkeypatch):
    from backend.services.artwork import deezer
    slept: list[float] = []
    monkeypatch.setattr(deezer.time, "sleep", slept.append)
    monkeypatch.setattr(deezer.time, "monotonic", lambda: 1000.0)
    window = deezer._Window(limit=3, window_s=5.0)
    for _ in range(5):
        window.wait(seconds_left=60)
    assert slept == [5.0, 5.0]   # three at once, then each waits for a slot of the window to free
