"""Real-world OST entries as fans write them against the shapes Spotify returns for them.

A held-out style check of the matcher's generality (not tuned to the benchmark corpus): English
titles with bilingual Spotify titles ("어른 Grown Ups"), Hangul-only titles and artists,
romanisation variants ("Baek Ye-rin" / "Yerin Baek"), group decorations ("DOYOUNG of NCT",
"NCT DOYOUNG", "Taeil (NCT)"), the drama's OST under another English name ("Guardian"), Inst.
twins ("- Inst.", "(Instrumental)", "(伴奏)"), sped-up / karaoke / piano decoys, remasters and
deluxe duplicates, Japanese and Chinese titles; and absent songs that must never be accepted.
Each case: the right candidate (tag ``ok``/``ok2``) is auto-accepted, or for ``absent`` nothing
is; ``review`` cases must go to a person (the matcher cannot be sure, and must not drop them).
"""

from __future__ import annotations

import itertools

import pytest

from ostkit.matching.decide import best_match
from ostkit.matching.scoring import Aliases, Context
from ostkit.models import Candidate, Credit, SpotifyAlbum, SpotifyArtist, Status, Track
from ostkit.text.credits import parse_credits

_n = itertools.count()


def A(name: str) -> SpotifyArtist:
    return SpotifyArtist("art_" + name.replace(" ", "_"), name)


def C(
    name: str,
    artists: list[str],
    album: str,
    atype: str = "single",
    dur: int | None = None,
    isrc: str | None = None,
    tag: str | None = None,
) -> Candidate:
    i = next(_n)
    arts = tuple(A(a) for a in artists)
    alb = SpotifyAlbum(f"alb{i}", album, atype, artists=arts)
    return Candidate(
        id=f"t{i}",
        uri=f"spotify:track:{tag or f'x{i}'}",
        name=name,
        artists=arts,
        album=alb,
        duration_ms=dur,
        isrc=isrc,
    )


CASES: list[tuple[Track, list[Candidate], str, str | None]] = []


def case(
    drama: str,
    title: str,
    artist: str,
    cands: list[Candidate],
    *,
    native_title: str | None = None,
    native_artist: str | None = None,
    part: int | None = None,
    version: str | None = None,
    dur: int | None = None,
    isrc: str | None = None,
    dnative: str | None = None,
    expect: str = "ok",
) -> None:
    credits = parse_credits(artist)
    if native_artist:
        credits = (Credit(credits[0].name, credits[0].role, native_artist), *credits[1:])
    t = Track(
        drama=drama,
        title=title,
        credits=credits,
        native_title=native_title,
        part=part,
        version=version,
        duration_ms=dur,
        isrc=isrc,
    )
    CASES.append((t, cands, expect, dnative))


# --- K-drama ---------------------------------------------------------------------------------
case(
    "Soundtrack #1",
    "Love Beyond Words",
    "Hanhae",
    [
        C(
            "사랑은 말로 표현하는게 아니래요 Love Beyond Words",
            ["Hanhae"],
            "Soundtrack #1 (Original Soundtrack) Part.1",
            tag="ok",
        ),
        C(
            "사랑은 말로 표현하는게 아니래요 Love Beyond Words (Inst.)",
            ["Hanhae"],
            "Soundtrack #1 (Original Soundtrack) Part.1",
        ),
        C("Love Beyond Words", ["Some Band"], "Words"),
    ],
)
case(
    "Soundtrack #1",
    "Love Beyond Words",
    "Hanhae",
    [
        C("사랑은 말로 표현하는게 아니래요", ["한해"], "사운드트랙 #1 OST Part.1", tag="ok"),
        C("사랑은 말로 표현하는게 아니래요 (Inst.)", ["한해"], "사운드트랙 #1 OST Part.1"),
    ],
    native_title="사랑은 말로 표현하는게 아니래요",
    dnative="사운드트랙 #1",
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C("Stay With Me", ["Sam Smith"], "In the Lonely Hour", "album"),
        C(
            "Stay With Me",
            ["CHANYEOL", "Punch"],
            "Goblin (Original Television Soundtrack), Pt. 1",
            tag="ok",
            isrc="KRA381601234",
        ),
        C(
            "Stay With Me (Inst.)",
            ["CHANYEOL", "Punch"],
            "Goblin (Original Television Soundtrack), Pt. 1",
        ),
        C(
            "Stay With Me",
            ["CHANYEOL", "Punch"],
            "Korean Drama OST Best Collection",
            "compilation",
            isrc="KRA381601234",
        ),
        C(
            "Stay With Me (Originally Performed by Chanyeol & Punch) [Karaoke Version]",
            ["Ameritz K-Pop Karaoke"],
            "Karaoke K-Pop Hits Vol. 3",
            "album",
        ),
        C("Stay With Me - Sped Up", ["CHANYEOL", "Punch"], "Stay With Me (Sped Up)"),
    ],
    part=1,
)
case(
    "Goblin",
    "Beautiful",
    "Crush",
    [
        C("Beautiful", ["Crush"], "Goblin (Original Television Soundtrack), Pt. 4", tag="ok"),
        C("Beautiful - Inst.", ["Crush"], "Goblin (Original Television Soundtrack), Pt. 4"),
        C("Beautiful", ["Christina Aguilera"], "Stripped", "album"),
    ],
    part=4,
)
case(
    "Goblin",
    "Beautiful",
    "Crush",
    [
        C(
            "Beautiful - Inst.",
            ["Crush"],
            "Goblin (Original Television Soundtrack), Pt. 4",
            tag="ok",
        ),
        C("Beautiful", ["Crush"], "Goblin (Original Television Soundtrack), Pt. 4"),
    ],
    part=4,
    version="Inst.",
)
case(
    "Goblin",
    "Beautiful (Instrumental)",
    "Crush",
    [
        C(
            "Beautiful (Instrumental)",
            ["Crush"],
            "Goblin (Original Television Soundtrack), Pt. 4",
            tag="ok",
        ),
        C("Beautiful", ["Crush"], "Goblin (Original Television Soundtrack), Pt. 4"),
    ],
    part=4,
)
case(
    "Goblin",
    "I Will Go to You Like the First Snow",
    "Ailee",
    [
        C(
            "첫눈처럼 너에게 가겠다 I will go to you like the first snow",
            ["Ailee"],
            "Guardian (Original Television Soundtrack), Pt. 9",
            tag="ok",
        ),
        C(
            "첫눈처럼 너에게 가겠다 I will go to you like the first snow (Inst.)",
            ["Ailee"],
            "Guardian (Original Television Soundtrack), Pt. 9",
        ),
    ],
    dnative="도깨비",
)
case(
    "Goblin",
    "I Will Go to You Like the First Snow",
    "Ailee",
    [
        C("I Will Go To You Like The First Snow", ["Ailee"], "도깨비 OST Part 9", tag="ok"),
        C(
            "I Will Go To You Like The First Snow (Piano Version)",
            ["Kpop Piano Relax"],
            "K-Drama Piano Covers",
            "album",
        ),
    ],
    dnative="도깨비",
    part=9,
)
case(
    "Goblin",
    "Round and Round",
    "Heize feat. Han Soo-ji",
    [
        C(
            "Round and round (feat. Han Soo Ji)",
            ["HEIZE"],
            "Goblin (Original Television Soundtrack), Pt. 10",
            tag="ok",
        ),
        C("Round And Round", ["Aqua"], "Aquarium", "album"),
    ],
)
case(
    "Goblin",
    "Hush",
    "Lasse Lindh",
    [
        C("Hush", ["Lasse Lindh"], "Goblin (Original Television Soundtrack), Pt. 8", tag="ok"),
        C("Hush", ["Miss A"], "Hush", "album"),
    ],
)
case(
    "Crash Landing on You",
    "Give You My Heart",
    "IU",
    [
        C(
            "Give You My Heart",
            ["IU"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 11",
            tag="ok",
        ),
        C(
            "Give You My Heart (Inst.)",
            ["IU"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 11",
        ),
        C("Give You My Heart", ["Stephanie Hill"], "Love Songs", "album"),
    ],
)
case(
    "Crash Landing on You",
    "Flower",
    "Yoon Mi-rae",
    [
        C(
            "Flower",
            ["Yoonmirae"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 4",
            tag="ok",
        ),
        C("FLOWER", ["JISOO"], "ME", "album"),
        C("Flower", ["Miley Cyrus"], "Endless Summer Vacation", "album"),
    ],
)
case(
    "Crash Landing on You",
    "Here I Am Again",
    "Baek Yerin",
    [
        C(
            "Here I Am Again",
            ["Yerin Baek"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 4",
            tag="ok",
        ),
        C(
            "Here I Am Again",
            ["Yerin Baek"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 4 (Inst.)",
        ),
    ],
)
case(
    "Crash Landing on You",
    "Sometimes",
    "Crush",
    [
        C("Sometimes", ["Crush"], "사랑의 불시착 OST Part 2", tag="ok"),
        C("Sometimes", ["Britney Spears"], "...Baby One More Time", "album"),
    ],
    dnative="사랑의 불시착",
)
case(
    "Descendants of the Sun",
    "Always",
    "Yoon Mi-rae",
    [
        C(
            "ALWAYS",
            ["Yoonmirae"],
            "Descendants of the Sun (Original Television Soundtrack), Pt. 1",
            tag="ok",
        ),
        C(
            "ALWAYS (Inst.)",
            ["Yoonmirae"],
            "Descendants of the Sun (Original Television Soundtrack), Pt. 1",
        ),
        C("Always", ["Bon Jovi"], "Cross Road", "compilation"),
    ],
)
case(
    "Descendants of the Sun",
    "You Are My Everything",
    "Gummy",
    [
        C("You Are My Everything", ["GUMMY"], "태양의 후예 OST Part.4", tag="ok"),
        C("You Are My Everything (English Ver.)", ["GUMMY"], "태양의 후예 OST Special"),
        C(
            "You Are My Everything - Piano Ver.",
            ["Piano Sensation"],
            "Drama Piano Collection",
            "album",
        ),
    ],
)
case(
    "Descendants of the Sun",
    "You Are My Everything (English Ver.)",
    "Gummy",
    [
        C("You Are My Everything (English Ver.)", ["GUMMY"], "태양의 후예 OST Special", tag="ok"),
        C("You Are My Everything", ["GUMMY"], "태양의 후예 OST Part.4"),
    ],
)
case(
    "Descendants of the Sun",
    "Everytime",
    "Chen & Punch",
    [
        C(
            "Everytime",
            ["CHEN", "Punch"],
            "Descendants of the Sun (Original Television Soundtrack), Pt. 2",
            tag="ok",
        ),
        C("Everytime", ["Britney Spears"], "In the Zone", "album"),
    ],
)
case(
    "Descendants of the Sun",
    "This Love",
    "Davichi",
    [
        C("이 사랑 This Love", ["DAVICHI"], "태양의 후예 OST Part 3", tag="ok"),
        C("This Love", ["Maroon 5"], "Songs About Jane", "album"),
    ],
    dnative="태양의 후예",
)
case(
    "Reply 1988",
    "Youth",
    "Kim Feel",
    [
        C(
            "청춘 Youth",
            ["Kim Feel"],
            "Reply 1988 (Original Television Soundtrack), Pt. 2",
            tag="ok",
        ),
        C("Youth", ["Troye Sivan"], "Blue Neighbourhood", "album"),
    ],
)
case(
    "Reply 1988",
    "A Little Girl",
    "Oh Hyuk",
    [
        C("소녀 A Little Girl", ["오혁"], "응답하라 1988 OST Part 3", tag="ok"),
        C("소녀", ["이문세"], "이문세 3집", "album"),
    ],
    native_title="소녀",
    dnative="응답하라 1988",
)
case(
    "Reply 1988",
    "Hyehwadong",
    "Park Bo-ram",
    [
        C(
            "혜화동 (혹은 쌍문동) Hyehwadong (or Ssangmundong)",
            ["Park Boram"],
            "Reply 1988 (Original Television Soundtrack), Pt. 4",
            tag="ok",
        )
    ],
)
case(
    "My Mister",
    "Grown Ups",
    "Sondia",
    [
        C(
            "어른 Grown Ups",
            ["Sondia"],
            "My Mister (Original Television Soundtrack), Pt. 2",
            tag="ok",
        ),
        C("Grown Ups", ["Paramore"], "Grown Ups", "single"),
    ],
)
case(
    "My Mister",
    "Grown Ups",
    "Sondia",
    [
        C("어른", ["손디아"], "나의 아저씨 OST Part 2", tag="ok"),
        C("어른 (Inst.)", ["손디아"], "나의 아저씨 OST Part 2"),
    ],
    native_title="어른",
    dnative="나의 아저씨",
)
case(
    "My Love from the Star",
    "My Destiny",
    "Lyn",
    [
        C(
            "My Destiny",
            ["LYn"],
            "My Love from the Star (Original Television Soundtrack), Pt. 1",
            tag="ok",
        ),
        C("My Destiny", ["Katharine McPhee"], "Katharine McPhee", "album"),
    ],
)
case(
    "My Love from the Star",
    "Every Moment of You",
    "Sung Si-kyung",
    [
        C(
            "너의 모든 순간 Every moment of you",
            ["Sung Si Kyung"],
            "별에서 온 그대 OST Part 7",
            tag="ok",
        )
    ],
    dnative="별에서 온 그대",
)
case(
    "My Love from the Star",
    "Every Moment of You",
    "Sung Si-kyung",
    [C("너의 모든 순간", ["성시경"], "별에서 온 그대 OST Part 7", tag="ok")],
    native_title="너의 모든 순간",
    dnative="별에서 온 그대",
)
case(
    "Another Miss Oh",
    "If It Is You",
    "Jung Seung-hwan",
    [
        C(
            "If It Is You",
            ["Jung Seung Hwan"],
            "Another Miss Oh (Original Television Soundtrack), Pt. 3",
            tag="ok",
        ),
        C(
            "If It Is You (Inst.)",
            ["Jung Seung Hwan"],
            "Another Miss Oh (Original Television Soundtrack), Pt. 3",
        ),
    ],
)
case(
    "Another Miss Oh",
    "If It Is You",
    "Jung Seung-hwan",
    [C("너였다면", ["정승환"], "또 오해영 OST Part 3", tag="ok")],
    native_title="너였다면",
    dnative="또 오해영",
)
case(
    "Moon Lovers",
    "Say Yes",
    "Loco & Punch",
    [
        C(
            "Say Yes",
            ["Loco", "Punch"],
            "Moon Lovers: Scarlet Heart Ryeo, Pt. 1 (Original Television Soundtrack)",
            tag="ok",
        ),
        C("Say Yes", ["Floetry"], "Floetic", "album"),
    ],
)
case(
    "Hotel del Luna",
    "All About You",
    "Taeyeon",
    [
        C(
            "All about you",
            ["TAEYEON"],
            "Hotel Del Luna (Original Television Soundtrack), Pt. 3",
            tag="ok",
        ),
        C("All About You", ["McFly"], "Wonderland", "album"),
    ],
)
case(
    "Hotel del Luna",
    "Can You See My Heart",
    "Heize",
    [C("내 맘을 볼 수 있나요 Can You See My Heart", ["HEIZE"], "호텔 델루나 OST Part.5", tag="ok")],
    dnative="호텔 델루나",
)
case(
    "Hotel del Luna",
    "Done For Me",
    "Punch",
    [
        C("Done For Me", ["Punch"], "Hotel Del Luna OST Part.4", tag="ok"),
        C("Done for Me (feat. Kehlani)", ["Charlie Puth", "Kehlani"], "Voicenotes", "album"),
    ],
)
case(
    "Itaewon Class",
    "Start Over",
    "Gaho",
    [
        C(
            "Start Over",
            ["Gaho"],
            "Itaewon Class, Pt. 2 (Original Television Soundtrack)",
            tag="ok",
        ),
        C("Start Over - Sped Up", ["Gaho"], "Start Over (Sped Up)"),
        C("Start Over", ["Imagine Dragons"], "Mercury", "album"),
    ],
)
case(
    "Itaewon Class",
    "Sweet Night",
    "V of BTS",
    [
        C("Sweet Night", ["V"], "Itaewon Class, Pt. 12 (Original Television Soundtrack)", tag="ok"),
        C("Sweet Night (Piano Cover)", ["Pianella Piano"], "Sweet Night (Piano Cover)"),
    ],
)
case(
    "Twenty-Five Twenty-One",
    "Starlight",
    "TAEIL (NCT)",
    [
        C("Starlight", ["TAEIL"], "Twenty Five Twenty One OST Part.1", tag="ok"),
        C("Starlight", ["Muse"], "Black Holes and Revelations", "album"),
    ],
)
case(
    "Start-Up",
    "Doyoung song",
    "DOYOUNG of NCT",
    [C("Doyoung song", ["DOYOUNG"], "Start-Up (Original Television Soundtrack), Pt. 9", tag="ok")],
)
case(
    "Start-Up",
    "Doyoung song",
    "NCT DOYOUNG",
    [C("Doyoung song", ["DOYOUNG"], "Start-Up (Original Television Soundtrack), Pt. 9", tag="ok")],
)
case(
    "Start-Up",
    "Doyoung song",
    "DOYOUNG",
    [
        C(
            "Doyoung song",
            ["NCT DOYOUNG"],
            "Start-Up (Original Television Soundtrack), Pt. 9",
            tag="ok",
        )
    ],
)
case(
    "Start-Up",
    "Running",
    "Gaho",
    [
        C("Running", ["Gaho"], "START-UP, Pt. 1 (Original Television Soundtrack)", tag="ok"),
        C(
            "Running",
            ["Gaho"],
            "START-UP, Pt. 1 (Original Television Soundtrack)",
            "single",
            tag="ok2",
        ),
    ],
)
case(
    "Our Beloved Summer",
    "Drawer",
    "10cm",
    [
        C("Drawer", ["10CM"], "Our Beloved Summer OST Part.3", tag="ok"),
        C("Drawer (Inst.)", ["10CM"], "Our Beloved Summer OST Part.3"),
    ],
)
case(
    "Our Beloved Summer",
    "Christmas Tree",
    "V",
    [
        C("Christmas Tree", ["V"], "Our Beloved Summer OST Part.5", tag="ok"),
        C("Christmas Tree", ["Lady Gaga", "Space Cowboy"], "Christmas Tree", "single"),
    ],
)
case(
    "Hospital Playlist",
    "Aloha",
    "Jo Jung-suk",
    [
        C("Aloha", ["조정석"], "슬기로운 의사생활 OST Part 3", tag="ok"),
        C("Aloha", ["Cool"], "Cool 6", "album"),
    ],
    dnative="슬기로운 의사생활",
    native_artist="조정석",
)
case(
    "Hospital Playlist",
    "Aloha",
    "Jo Jung-suk",
    [
        C(
            "Aloha",
            ["Jo Jung Suk"],
            "Hospital Playlist (Original Television Soundtrack), Pt. 3",
            tag="ok",
        ),
        C("Aloha", ["Cool"], "Cool 6", "album"),
    ],
)
case(
    "Hospital Playlist",
    "Aloha",
    "Jo Jung-suk",
    [C("Aloha", ["조정석"], "Hospital Playlist (Original Television Soundtrack), Pt. 3", tag="ok")],
)
case(
    "Hospital Playlist",
    "Confession",
    "Kyuhyun",
    [C("Confession", ["규현"], "슬기로운 의사생활 시즌2 OST Part 5", tag="ok")],
    dnative="슬기로운 의사생활",
)
case(
    "Hospital Playlist",
    "Confession",
    "Kyuhyun",
    [
        C(
            "Confession",
            ["KYUHYUN"],
            "Hospital Playlist Season 2 (Original Television Soundtrack), Pt. 5",
            tag="ok",
        )
    ],
)
case(
    "Queen of Tears",
    "Love You With All My Heart",
    "Crush",
    [
        C(
            "미안해 미워해 사랑해 Love You With All My Heart",
            ["Crush"],
            "Queen of Tears OST Part.1",
            tag="ok",
        ),
        C(
            "미안해 미워해 사랑해 Love You With All My Heart (Inst.)",
            ["Crush"],
            "Queen of Tears OST Part.1",
        ),
    ],
)
case(
    "Lovely Runner",
    "Sudden Shower",
    "ECLIPSE",
    [
        C("소나기 Sudden Shower", ["ECLIPSE"], "Lovely Runner OST Part.1", tag="ok"),
        C("Sudden Shower (Sped Up)", ["ECLIPSE"], "Sudden Shower (Sped Up Ver.)"),
        C("Sudden Shower", ["Rain Sounds"], "Rain", "album"),
    ],
)
case(
    "Lovely Runner",
    "Sudden Shower",
    "Eclipse",
    [C("소나기", ["이클립스 (ECLIPSE)"], "선재 업고 튀어 OST Part 1", tag="ok")],
    native_title="소나기",
    dnative="선재 업고 튀어",
)
case(
    "Business Proposal",
    "Love, Maybe",
    "MeloMance",
    [
        C("Love, Maybe", ["MeloMance"], "A Business Proposal OST Part.1", tag="ok"),
        C("Love, Maybe (Inst.)", ["MeloMance"], "A Business Proposal OST Part.1"),
        C("Love Maybe (Sped Up)", ["MeloMance"], "Love Maybe (Sped Up)"),
    ],
)
case(
    "Reply 1988",
    "Don't Worry",
    "Lee Juck",
    [
        C(
            'Don\'t Worry (From "Reply 1988" Original Television Soundtrack)',
            ["Lee Juck"],
            'Don\'t Worry (From "Reply 1988" Original Television Soundtrack)',
            tag="ok",
        ),
        C("Don't Worry", ["Lee Juck"], "Lee Juck 2", "album", dur=260000, tag="orig"),
    ],
    dur=None,
)
case(
    "Goblin",
    "Wish",
    "Choi Yu-ree",
    [
        C("Wish", ["최유리"], "도깨비 OST Part 13", tag="ok"),
        C("Wish", ["Choi Yu Ree"], "Wish (Remix)", "single"),
    ],
    dnative="도깨비",
)
case(
    "Hotel del Luna",
    "Another Day",
    "Monday Kiz & Punch",
    [
        C(
            "Another Day",
            ["Monday Kiz", "Punch"],
            "Hotel Del Luna (Original Television Soundtrack), Pt. 1",
            tag="ok",
        ),
        C(
            "Another Day",
            ["Monday Kiz", "Punch"],
            "Hotel Del Luna (Original Television Soundtrack)",
            "album",
            tag="ok2",
        ),
        C(
            "Another Day (Inst.)",
            ["Monday Kiz", "Punch"],
            "Hotel Del Luna (Original Television Soundtrack), Pt. 1",
        ),
    ],
)
case(
    "Crash Landing on You",
    "But I Love You",
    "Kim Jae-hwan",
    [
        C(
            "But I Love You - Remastered",
            ["KIM JAE HWAN"],
            "Crash Landing on You (Original Television Soundtrack) [Remastered]",
            "album",
            tag="ok",
        )
    ],
)

# --- absent songs: must NOT be auto-accepted ------------------------------------------------
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C("Stay With Me", ["Sam Smith"], "In the Lonely Hour", "album"),
        C(
            "Stay With Me (Inst.)",
            ["CHANYEOL", "Punch"],
            "Goblin (Original Television Soundtrack), Pt. 1",
        ),
        C(
            "Stay With Me (Originally Performed by Chanyeol & Punch) [Karaoke Version]",
            ["Ameritz K-Pop Karaoke"],
            "Karaoke Hits",
            "album",
        ),
    ],
    expect="absent",
)
case(
    "Crash Landing on You",
    "Flower",
    "Yoon Mi-rae",
    [
        C("Flower", ["Miley Cyrus"], "Endless Summer Vacation", "album"),
        C("Flower", ["Yoonmirae"], "Flower - Single (Remix)", "single", tag="remix"),
        C("FLOWER", ["JISOO"], "ME", "album"),
    ],
    expect="absent",
)
case(
    "Our Beloved Summer",
    "Drawer",
    "10cm",
    [
        C("Drawer (Inst.)", ["10CM"], "Our Beloved Summer OST Part.3"),
        C("Drawer (Piano Cover)", ["Pianella Piano"], "K-Drama on Piano", "album"),
    ],
    expect="absent",
)
case(
    "Another Miss Oh",
    "If It Is You",
    "Jung Seung-hwan",
    [
        C("If It Is You", ["DAY6"], "Another Miss Oh Special", "single"),
        C("If It Was You", ["Jung Seung Hwan"], "Another Miss Oh OST Part 3"),
    ],
    expect="absent",
)
case(
    "Hotel del Luna",
    "All About You",
    "Taeyeon",
    [
        C("All About You", ["McFly"], "Wonderland", "album"),
        C("All About You (Live)", ["TAEYEON"], "The Unseen (Live Concert)", "album"),
    ],
    expect="absent",
)
case(
    "Lovely Runner",
    "Sudden Shower",
    "ECLIPSE",
    [
        C("Sudden Shower", ["Rain Sounds"], "Rain", "album"),
        C(
            "Sudden Shower (Originally Performed by ECLIPSE)",
            ["K-Pop Karaoke Band"],
            "K-Pop Karaoke 2024",
            "album",
        ),
        C("소나기 Sudden Shower - Sped Up", ["ECLIPSE"], "Sudden Shower (Sped Up)"),
    ],
    expect="absent",
)
case(
    "Goblin",
    "Beautiful",
    "Crush",
    [
        C("Beautiful", ["Crush"], "Wonderlost", "album", dur=200000),
        C("Beautiful", ["Christina Aguilera"], "Stripped", "album"),
    ],
    dur=240000,
    expect="absent",
)
case(
    "Start-Up",
    "Doyoung song",
    "DOYOUNG of NCT",
    [C("Doyoung song", ["NCT DREAM"], "Start-Up (Original Television Soundtrack), Pt. 9")],
    expect="absent",
)
case(
    "Twenty-Five Twenty-One",
    "Starlight",
    "TAEIL (NCT)",
    [
        C("Starlight", ["Muse"], "Black Holes and Revelations", "album"),
        C("Starlight", ["Taylor Swift"], "Red", "album"),
    ],
    expect="absent",
)
case(
    "Descendants of the Sun",
    "Always",
    "Yoon Mi-rae",
    [
        C("Always", ["Yoon Do Hyun"], "Always", "single"),
        C("ALWAYS", ["Yoonmirae"], "Descendants of the Sun OST Karaoke", "album"),
    ],
    expect="absent",
)
case(
    "Start-Up",
    "Running",
    "Gaho",
    [
        C("Running", ["Gaho"], "Running (Slowed + Reverb)", "single"),
        C("Running - Instrumental", ["Gaho"], "START-UP, Pt. 1 (Original Television Soundtrack)"),
    ],
    expect="absent",
)

# --- J-drama ---------------------------------------------------------------------------------
case(
    "Unnatural",
    "Lemon",
    "Kenshi Yonezu",
    [
        C("Lemon", ["Kenshi Yonezu"], "Lemon", "single", tag="ok"),
        C("Lemon", ["N.E.R.D", "Rihanna"], "NO_ONE EVER REALLY DIES", "album"),
        C("Lemon (Piano Version)", ["Piano Tribute Players"], "Anime & Drama Piano", "album"),
    ],
)
case(
    "Unnatural",
    "Lemon",
    "Kenshi Yonezu",
    [C("Lemon", ["米津玄師"], "Lemon", "single", tag="ok")],
    native_artist="米津玄師",
)
case(
    "We Married as a Job",
    "Koi",
    "Gen Hoshino",
    [C("恋", ["Gen Hoshino"], "恋", "single", tag="ok"), C("Koi", ["Some DJ"], "Koi", "single")],
    native_title="恋",
)
case(
    "We Married as a Job",
    "Koi",
    "Gen Hoshino",
    [C("恋", ["Gen Hoshino"], "恋", "single", tag="ok")],
    expect="review",
)
case(
    "Hana Yori Dango 2",
    "Flavor of Life",
    "Utada Hikaru",
    [
        C("Flavor Of Life - Ballad Version", ["Hikaru Utada"], "HEART STATION", "album", tag="bal"),
        C("Flavor Of Life", ["Hikaru Utada"], "HEART STATION", "album", tag="ok"),
    ],
)
case(
    "1 Litre of Tears",
    "Sangatsu Kokonoka",
    "Remioromen",
    [C("3月9日", ["Remioromen"], "ether", "album", tag="ok")],
    native_title="3月9日",
)
case(
    "Silent",
    "Subtitle",
    "Official Hige Dandism",
    [
        C("Subtitle", ["Official HIGE DANdism"], "Subtitle", "single", tag="ok"),
        C("Subtitle - Instrumental", ["Official HIGE DANdism"], "Subtitle", "single"),
    ],
)
case(
    "Hanamizuki",
    "Hanamizuki",
    "Yo Hitoto",
    [C("ハナミズキ", ["Yo Hitoto"], "Memorandum", "album", tag="ok")],
)
case(
    "Midnight Diner",
    "Omoide",
    "Suzuki Tsunekichi",
    [C("思ひで", ["鈴木常吉"], "ぜいご", "album", tag="ok")],
    native_title="思ひで",
    native_artist="鈴木常吉",
)
# --- C-drama ---------------------------------------------------------------------------------
case(
    "The Untamed",
    "Wu Ji",
    "Xiao Zhan & Wang Yibo",
    [
        C("无羁", ["肖战", "王一博"], "陈情令 国风音乐专辑", "album", tag="ok"),
        C("无羁 (伴奏)", ["肖战", "王一博"], "陈情令 国风音乐专辑", "album"),
    ],
    dnative="陈情令",
    expect="review",
)
case(
    "The Untamed",
    "Unrestrained",
    "Xiao Zhan & Wang Yibo",
    [C("无羁", ["Xiao Zhan", "Wang Yibo"], "The Untamed OST", "album", tag="ok")],
    native_title="无羁",
)
case(
    "Love Between Fairy and Devil",
    "Love Fairy Devil theme",
    "Zhou Shen",
    [C("Love Fairy Devil theme", ["周深"], "苍兰诀 影视原声带", "album", tag="ok")],
)

case(
    "Crash Landing on You",
    "Here I Am Again",
    "Baek Ye-rin",
    [
        C(
            "Here I Am Again",
            ["Yerin Baek"],
            "Crash Landing on You (Original Television Soundtrack), Pt. 4",
            tag="ok",
        )
    ],
)
case(
    "Hello, My Twenties!",
    "Fallin'",
    "Kim Na-young",
    [C("Fallin'", ["김나영"], "청춘시대 OST Part 2", tag="ok")],
    dnative="청춘시대",
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C(
            "Stay With Me",
            ["CHANYEOL", "Punch"],
            "Goblin (Original Television Soundtrack), Pt. 1",
            isrc="KRA381601234",
            tag="ok",
        ),
        C(
            "Stay With Me",
            ["CHANYEOL", "Punch"],
            "Goblin (Original Television Soundtrack) [Deluxe Edition]",
            "album",
            isrc="KRA381601234",
            tag="ok2",
        ),
    ],
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C("Stay With Me", ["CHANYEOL", "Punch"], "Goblin OST", "album", dur=233000, tag="ok"),
        C(
            "Stay With Me",
            ["CHANYEOL", "Punch"],
            "Goblin OST (Deluxe)",
            "album",
            dur=233000,
            tag="ok2",
        ),
    ],
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C(
            "Stay With Me (Piano Ver.)",
            ["CHANYEOL", "Punch"],
            "Goblin OST Special",
            "album",
            tag="ok",
        ),
        C("Stay With Me", ["CHANYEOL", "Punch"], "Goblin (Original Television Soundtrack), Pt. 1"),
    ],
    version="Piano Ver.",
)
case(
    "Descendants of the Sun",
    "Everytime",
    "Chen & Punch",
    [
        C(
            "Everytime (Japanese Ver.)",
            ["CHEN", "Punch"],
            "Descendants of the Sun Japan Edition",
            "album",
        ),
        C("Everytime", ["CHEN", "Punch"], "Descendants of the Sun OST Part.2", tag="ok"),
    ],
)
case(
    "Descendants of the Sun",
    "Everytime",
    "Chen & Punch",
    [
        C(
            "Everytime (Japanese Ver.)",
            ["CHEN", "Punch"],
            "Descendants of the Sun Japan Edition",
            "album",
        ),
        C("Everytime (Sped Up)", ["CHEN", "Punch"], "Everytime (Sped Up)"),
    ],
    expect="absent",
)
case(
    "Unnatural",
    "Lemon",
    "Kenshi Yonezu",
    [C("Lemon", ["米津玄師"], "Lemon", "single")],
    expect="absent",
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C('Stay With Me (From "Goblin") [Piano Version]', ["Kpop Piano"], "K-Drama Piano", "album"),
        C('Stay With Me (From "Goblin")', ["Kpop Cover Stars"], "K-Drama Covers", "album"),
    ],
    expect="absent",
)
case(
    "Goblin",
    "Stay With Me",
    "Chanyeol & Punch",
    [
        C(
            'Stay With Me (From "Goblin")',
            ["CHANYEOL", "Punch"],
            'Stay With Me (From "Goblin")',
            tag="ok",
        )
    ],
)

# --- seasons, full OST albums, Hangul-only artists without a native name ----------------------
case(
    "Hospital Playlist 2",
    "Butterfly",
    "Kim Na-young",
    [
        C(
            "Butterfly",
            ["Kim Na Young"],
            "Hospital Playlist Season 2 (Original Television Soundtrack), Pt. 2",
            tag="ok",
        ),
        C("Butterfly", ["BTS"], "HYYH pt.2", "album"),
        C(
            "Butterfly (Inst.)",
            ["Kim Na Young"],
            "Hospital Playlist Season 2 (Original Television Soundtrack), Pt. 2",
        ),
    ],
)
case(
    "Hospital Playlist",
    "Confession",
    "Kyuhyun",
    [C("Confession", ["KYUHYUN"], "슬기로운 의사생활 시즌2 OST Part 5", tag="ok")],
    dnative="슬기로운 의사생활",
)
case(
    "Mr. Sunshine",
    "Days",
    "Yoon Mi-rae",
    [
        C(
            "Days",
            ["Yoonmirae"],
            "Mr. Sunshine (Original Television Soundtrack)",
            "album",
            tag="ok",
        ),
        C("Days - Sped Up", ["Yoonmirae"], "Days (Sped Up)"),
    ],
)
case(
    "Descendants of the Sun",
    "You Are My Everything",
    "Gummy",
    [
        C(
            "You Are My Everything",
            ["거미"],
            "Descendants of the Sun (Original Television Soundtrack), Pt. 4",
            tag="ok",
        )
    ],
    expect="review",
)


def _id(c: tuple[Track, list[Candidate], str, str | None]) -> str:
    t, _, expect, _ = c
    return f"{expect}-{t.drama}-{t.title}-{t.artist}"


@pytest.mark.parametrize("entry", CASES, ids=[_id(c) for c in CASES])
def test_real_world_entry(entry: tuple[Track, list[Candidate], str, str | None]) -> None:
    t, cands, expect, dnative = entry
    book = Aliases()
    for c in t.credits:
        book.add([c.name, *([c.native_name] if c.native_name else [])])
    ctx = Context(aliases=book, drama_names=(dnative,) if dnative else ())
    r = best_match(t, cands, book, context=ctx)
    why = "\n".join(
        f"{x.candidate.name} [{x.candidate.album.name if x.candidate.album else '-'}]"
        f" {x.score.explain()}"
        for x in r.ranked[:3]
    )
    if expect == "absent":
        assert r.status is not Status.MATCHED, why
    elif expect == "review":
        assert r.status is Status.REVIEW, why
        assert r.best is not None and r.best.candidate.uri.endswith(":ok"), why
    else:
        assert r.status is Status.MATCHED, why
        assert r.chosen is not None and r.chosen.candidate.uri.rsplit(":", 1)[-1] in ("ok", "ok2")


def test_corpus_is_big_and_varied() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c[2] == "absent") >= 10
