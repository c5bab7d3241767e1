"""An op's derivative rule, written in the names of the graph it is drawn in.

The registry writes each rule once, in its own letters: ``z = x·y;  x̄ = z̄·y,  ȳ = z̄·x`` (``z``
the output, ``x`` and ``y`` the inputs, a bar a gradient). On a node of a lesson's graph those
letters would clash with the lesson's own ``x``, ``y`` and ``z``, so the drawing renames them:
each input and the output take the name their box carries in the picture (``y = x + α·2``,
``z = t₁·3;  t̄₁ = z̄·3``), and the gradient of an input that needs none is left out.
"""
import re
import unicodedata

BAR = "\u0304"  # combining macron: x̄
_SUPER = dict(zip("abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW0123456789+-−()",
                  "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾"))
_PLAIN = {v: k for k, v in _SUPER.items() if k != "-"}
_SUPERSCRIPTS = "".join(_PLAIN) + "⁻"
_SUBSCRIPTS = set("ᵢⱼₖₙₚ")
# a letter of the rule (with its bar, if any), or a run of superscripts
_TOKEN = re.compile(rf"[A-Za-z]{BAR}?|[{_SUPERSCRIPTS}]+")
_JOINS = re.compile(r"[\w)\]|]", re.UNICODE)  # what a product written side by side touches


def output_symbol(math):
    """The registry's letter for the output (``z``, or ``Z`` for matrix products)."""
    return "Z" if math.lstrip().startswith("Z") else "z"


def bar(name):
    """The gradient of ``name``: a bar over each of its letters (``x̄``, ``ōūt̄``, ``w̄1``)."""
    return unicodedata.normalize("NFC", "".join(
        c + BAR if c.isascii() and c.isalpha() else c for c in name))


# The letters the registry's rules use for an op's number attributes (``z = xᵖ``: exponent).
ATTRIBUTE_LETTERS = {"exponent": "p", "base": "b", "other": "c"}


def named_rule(math, symbols, constant=(), unit=False, given=None):
    """``(forward, [gradient clauses])`` of a registry rule with its letters renamed.

    symbols: {registry letter: name in the picture} (letters missing stay as they are).
    constant: letters of inputs that need no gradient: their clauses are left out.
    unit: the factor α of ``x + αy`` is 1, so it is left out (``x + y``).
    given: {letter: number} of the op's attributes, said after the forward (``(p = 2)``).
    """
    if unit:
        math = math.replace("α·", "").replace("α", "")
    forward, _, backward = (unicodedata.normalize("NFD", math)).partition(";")
    clauses = [c.strip() for c in backward.split(",  ")] if backward.strip() else []
    kept = [c for c in clauses if c[:1] not in constant or not c[1:2] == BAR]
    forward = _rename(forward.strip(), symbols)
    values = [f"{letter} = {value}" for letter, value in (given or {}).items()
              if re.search(rf"(?<![A-Za-z]){letter}(?![A-Za-z])|{_SUPER.get(letter, letter)}",
                           forward)]
    if values:
        forward += f"  ({', '.join(values)})"
    return forward, [_rename(c, symbols) for c in kept]


def _rename(text, symbols):
    """``text`` with each letter in ``symbols`` replaced, as a plain letter, a barred one, or
    inside a superscript (``xʸ`` with y named ``w1`` reads ``x^(w1)``)."""
    out, at = [], 0
    for m in _TOKEN.finditer(text):
        token = m[0]
        before, after = text[at:m.start()], text[m.end():m.end() + 1]
        out.append(before)
        at = m.end()
        if token[0] in _SUPERSCRIPTS:
            out.append(_rename_superscript(token, symbols))
            continue
        letter, barred = token[0], token.endswith(BAR)
        neighbours = (text[m.start() - 1:m.start()], after)
        if letter not in symbols or _inside_word(text, m):
            out.append(token)
            continue
        name = symbols[letter]
        word = bar(name) if barred else name
        if len(name) > 1 or not name[:1].isalpha():  # a number or a longer name: the product
            # written side by side (αy, 2z) gets its dot, an element (xᵢ) its brackets
            if neighbours[1] in _SUBSCRIPTS:
                word = f"({word})"
            if neighbours[0] and _JOINS.match(neighbours[0]) and "".join(out)[-1:] != " ":
                word = "·" + word
            if neighbours[1] and neighbours[1].isascii() and (
                    neighbours[1].isalnum() or neighbours[1] == "("):
                word = word + "·"
        out.append(word)
    out.append(text[at:])
    return unicodedata.normalize("NFC", "".join(out))


def _inside_word(text, m):
    """True for a letter of a word (``max``, ``ln``, ``sign``), which is no symbol."""
    before = text[m.start() - 1:m.start()]
    after = text[m.end():m.end() + 1]
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())


def _rename_superscript(token, symbols):
    plain = "".join(_PLAIN.get(c, "-" if c == "⁻" else c) for c in token)
    renamed = "".join(symbols.get(c, c) for c in plain)
    if renamed == plain:
        return token
    if all(c in _SUPER for c in renamed):
        return "".join(_SUPER[c] for c in renamed)
    return "^(" + renamed.replace("-", "−") + ")"
