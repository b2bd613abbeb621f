from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from tools.console.completion import ConsoleCompleter
from tools.dictionary import Dictionary

COMPLETER = ConsoleCompleter(Dictionary.from_flight())


def complete(text):
    doc = Document(text, len(text))
    return [
        c.text for c in COMPLETER.get_completions(doc, CompleteEvent(completion_requested=True))
    ]


def test_command_names_and_console_words_complete_in_any_case():
    assert complete("DRI") == ["DRIVE"]
    assert complete("dri") == ["DRIVE"]
    assert "help" in complete("he")
    assert set(complete("WHEEL_")) == {"WHEEL_ISOLATE", "WHEEL_RESTORE"}


def test_argument_names_then_enum_values():
    assert complete("DRIVE ") == ["distance=", "radius=", "speed="]
    assert complete("DRIVE spe") == ["speed="]
    assert complete("DRIVE distance=1 ") == ["radius=", "speed="]
    assert complete("WHEEL_ISOLATE wheel=L") == ["wheel=LF", "wheel=LM", "wheel=LR"]
    assert complete("SET_MODE mode=s") == ["mode=STANDBY", "mode=SAFE"]
    assert complete("confirm WHEEL_ISOLATE wh") == ["wheel="]


def test_help_tlm_and_wait_complete_from_the_dictionary():
    assert complete("help DRI") == ["DRIVE"]
    assert complete("tlm MOB") == ["MOBILITY"]
    assert complete("wait ") == ["until", "event"]
    assert complete("wait event WHEEL_I") == ["WHEEL_ISOLATED"]
    assert "MOBILITY.travelled" in complete("wait until MOBILITY.tr")
    assert complete("wait until HK.mode == S") == ["STANDBY", "SAFE"]
