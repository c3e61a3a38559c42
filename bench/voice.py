"""How well and how fast the offline transcriber hears guests, per language.

Spoken requests (FAQ questions and booking requests with dates and head counts, written here)
are synthesised with espeak-ng, clean and with white noise at 15 dB SNR, sent through the
OGG/Opus encoder WhatsApp uses, and transcribed by `OfflineTranscriber` with the language the
conversation would give it. Reported per language:

- **WER**: word error rate of the transcript against the words said (lowercased, punctuation
  dropped, numbers and clock times written as words on both sides where Whisper used digits);
- **details**: of the booking requests, the share whose transcript yields the same check-in,
  check-out, nights, adults and children (`extract_slots`) as the text that was spoken;
- **seconds per audio second**: transcription time over note length (2 CPU threads).

    .venv/bin/python bench/voice.py [--output docs/quality.md]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.voice.samples import voice_note  # noqa: E402

from hotelbot.engine.understand.slots import extract_slots  # noqa: E402
from hotelbot.kit.logging import configure_logging  # noqa: E402
from hotelbot.voice.errors import VoiceError  # noqa: E402
from hotelbot.voice.offline import OfflineTranscriber  # noqa: E402
from hotelbot.voice.quality import word_error_rate  # noqa: E402

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
TODAY = dt.date(2026, 12, 4)
MARK_START = "<!-- bench:voice:start -->"
MARK_END = "<!-- bench:voice:end -->"
#: (kind, sentence): "faq" questions and "booking" requests whose details are checked.
SPOKEN: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("faq", "What time is breakfast?"),
        ("faq", "Is there a swimming pool?"),
        ("faq", "Can I bring my dog?"),
        ("booking", "I would like to book a room next Friday for three nights for two adults."),
        ("booking", "Do you have a room from the tenth to the twelfth of January for two adults?"),
        ("booking", "We are two adults and one child, arriving on Saturday for two nights."),
    ],
    "es": [
        ("faq", "¿A qué hora es el desayuno?"),
        ("faq", "¿Tienen parking?"),
        ("faq", "¿Puedo llevar a mi perro?"),
        ("booking", "Quiero reservar una habitación el próximo viernes para tres noches."),
        ("booking", "¿Tienen habitación del diez al doce de enero para dos personas?"),
        ("booking", "Somos dos personas y llegamos el sábado, dos noches."),
    ],
    "de": [
        ("faq", "Wann ist das Frühstück?"),
        ("faq", "Haben Sie einen Parkplatz?"),
        ("faq", "Darf ich meinen Hund mitbringen?"),
        ("booking", "Ich möchte ein Zimmer für nächsten Freitag buchen, drei Nächte."),
        ("booking", "Haben Sie ein Zimmer vom zehnten bis zwölften Januar für zwei Personen?"),
        ("booking", "Wir sind zwei Personen und kommen am Samstag für zwei Nächte."),
    ],
    "fr": [
        ("faq", "À quelle heure est le petit déjeuner ?"),
        ("faq", "Bonjour, avez-vous un parking ?"),
        ("faq", "Est-ce que je peux venir avec mon chien ?"),
        ("booking", "Je voudrais réserver une chambre vendredi prochain pour trois nuits."),
        ("booking", "Avez-vous une chambre du dix au douze janvier pour deux personnes ?"),
        ("booking", "Nous sommes deux personnes et nous arrivons samedi pour deux nuits."),
    ],
    "it": [
        ("faq", "A che ora è la colazione?"),
        ("faq", "Buongiorno, avete un parcheggio?"),
        ("faq", "Posso portare il mio cane?"),
        ("booking", "Vorrei prenotare una camera venerdì prossimo per tre notti."),
        ("booking", "Avete una camera dal dieci al dodici gennaio per due persone?"),
        ("booking", "Siamo due persone e arriviamo sabato per due notti."),
    ],
    "pt": [
        ("faq", "A que horas é o pequeno-almoço?"),
        ("faq", "Têm estacionamento?"),
        ("faq", "Posso levar o meu cão?"),
        ("booking", "Queria reservar um quarto na próxima sexta-feira para três noites."),
        ("booking", "Têm um quarto de dez a doze de janeiro para duas pessoas?"),
        ("booking", "Somos duas pessoas e chegamos no sábado, duas noites."),
    ],
}
_NUMBERS = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve",
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",
    "it": "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici",
    "pt": "zero um dois três quatro cinco seis sete oito nove dez onze doze",
}


def words(text: str, language: str) -> list[str]:
    """Lowercased words, digits 0-12 written out (Whisper writes "3" for "three")."""
    names = _NUMBERS[language].split()
    found = re.findall(r"[^\W_]+", text.lower())
    return [names[int(w)] if w.isdigit() and int(w) < len(names) else w for w in found]


def details(text: str, language: str) -> tuple[object, ...]:
    s = extract_slots(text, language=language, today=TODAY)
    return (s.check_in, s.check_out, s.nights, s.adults, s.children)


async def measure(language: str, transcriber: OfflineTranscriber) -> dict[str, float]:
    errors = said = 0
    booked = right = 0
    audio_seconds = busy = 0.0
    for kind, sentence in SPOKEN[language]:
        for snr in (None, 15.0):
            note = voice_note(sentence, language, snr_db=snr)
            started = time.perf_counter()
            try:
                heard = await transcriber.transcribe(
                    note, mime_type="audio/ogg", languages=LANGUAGES, hint=language,
                    budget_seconds=60,
                )  # fmt: skip
                text, duration = heard.text, heard.duration
            except VoiceError:
                text, duration = "", 0.0
            busy += time.perf_counter() - started
            audio_seconds += duration
            reference = words(sentence, language)
            errors += round(word_error_rate(reference, words(text, language)) * len(reference))
            said += len(reference)
            if kind == "booking":
                booked += 1
                right += details(text, language) == details(sentence, language)
    return {
        "wer": errors / said,
        "details": right / booked,
        "notes": len(SPOKEN[language]) * 2,
        "rtf": busy / audio_seconds if audio_seconds else float("nan"),
        "audio": audio_seconds,
    }


def section(results: dict[str, dict[str, float]]) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    rows = "\n".join(
        f"| {lang} | {r['notes']} | {r['wer']:.2f} | {r['details']:.2f} | {r['rtf']:.2f} |"
        for lang, r in results.items()
    )
    return f"""{MARK_START}
## Voice notes: offline transcription (`bench/voice.py`)

- Date: {now}; machine: {os.cpu_count()} cores (load average {load:.1f} at the end: shared with
  other work, so times are upper bounds), Python {platform.python_version()}; faster-whisper
  with the packaged Whisper `base` model (int8, 2 threads, beam 5)
- Speech: espeak-ng (robotic, slow, short pauses between words), each sentence clean and with
  white noise at 15 dB SNR, encoded as OGG/Opus like a WhatsApp voice note; the transcriber
  gets the conversation's language as it would in a real conversation
- WER: word error rate against the words said; details: booking requests whose transcript
  gives the same dates, nights, adults and children as the sentence spoken; time: seconds of
  transcription per second of audio

| language | notes | WER | details right | s per audio s |
| --- | ---: | ---: | ---: | ---: |
{rows}

espeak-ng's French, Italian and Portuguese are hard for a model this small to hear (real voices
fare better); the bot reads a doubtful transcript back before it books or cancels anything, so
a mishearing costs a question, not a wrong booking. Reproduce:
`.venv/bin/python bench/voice.py --output docs/quality.md`.
{MARK_END}"""


def write_section(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else "# Quality\n"
    if MARK_START in current:
        head, rest = current.split(MARK_START, 1)
        current = head + text + rest.split(MARK_END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current, encoding="utf-8")


async def run() -> dict[str, dict[str, float]]:
    transcriber = OfflineTranscriber(max_seconds=120)
    await transcriber.warm_up()
    return {language: await measure(language, transcriber) for language in LANGUAGES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    configure_logging("WARNING", "console", stream=sys.stderr)
    text = section(asyncio.run(run()))
    print(text)
    if args.output:
        write_section(args.output, text)


if __name__ == "__main__":
    main()
