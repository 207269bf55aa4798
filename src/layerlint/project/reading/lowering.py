"""Lower PEP 695 / 701 / 750 / 758 syntax to 3.11 grammar with libcst, keeping every line in place."""

from __future__ import annotations

import libcst as cst


def _parenthesised(kind: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """PEP 758 `except A, B:` is `except (A, B):` in older grammar."""
    if isinstance(kind, cst.Tuple) and not kind.lpar:
        return kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return kind


class _Lowerer(cst.CSTTransformer):
    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        # `class Repo[ModelT: Base]:` becomes `class Repo(Generic[ModelT]):` so the analysis still
        # knows the class's type parameters (for `Repo[Item]` substitution).
        if not updated.type_parameters:
            return updated
        # Each parameter keeps its comma and the brackets their whitespace: a parameter list
        # spread over lines stays spread over the same lines.
        parameters = updated.type_parameters
        names = [cst.SubscriptElement(cst.Index(cst.Name(p.param.name.value)), comma=p.comma)
                 for p in parameters.params]
        generic = cst.Arg(cst.Subscript(
            cst.Name("Generic"), names,
            lbracket=cst.LeftSquareBracket(whitespace_after=parameters.lbracket.whitespace_after),
            rbracket=cst.RightSquareBracket(whitespace_before=parameters.rbracket.whitespace_before)))
        bases = [*updated.bases]
        if bases and not isinstance(bases[-1].comma, cst.Comma):
            bases[-1] = bases[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        # The header's own parentheses keep their line breaks, so every later line stays in place.
        lpar = updated.lpar if isinstance(updated.lpar, cst.LeftParen) else cst.LeftParen()
        rpar = updated.rpar if isinstance(updated.rpar, cst.RightParen) else cst.RightParen()
        return updated.with_changes(type_parameters=None, bases=[*bases, generic], lpar=lpar, rpar=rpar)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> cst.Assign:
        return cst.Assign(targets=[cst.AssignTarget(target=updated.name)], value=updated.value,
                          semicolon=updated.semicolon)

    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
        return updated.with_changes(type=_parenthesised(updated.type))

    def leave_ExceptStarHandler(self, original: cst.ExceptStarHandler,
                                updated: cst.ExceptStarHandler) -> cst.ExceptStarHandler:
        return updated.with_changes(type=_parenthesised(updated.type))

    def leave_FormattedString(self, original: cst.FormattedString,
                              updated: cst.FormattedString) -> cst.BaseExpression:
        # A PEP 701 f-string becomes ("text" + str(expr) + ...): same values, any quotes inside.
        prefix = updated.prefix.lower().replace("f", "")
        quote = updated.quote
        pieces: list[cst.BaseExpression] = []
        for part in updated.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                pieces.append(cst.SimpleString(f"{prefix}{quote}{text}{quote}"))
            elif isinstance(part, cst.FormattedStringExpression):
                # Line breaks inside the braces stay, as whitespace inside `str(...)`.
                argument = cst.Arg(part.expression, whitespace_after_arg=part.whitespace_after_expression)
                pieces.append(cst.Call(func=cst.Name("str"), args=[argument],
                                       whitespace_before_args=part.whitespace_before_expression))
        if not pieces:
            return cst.SimpleString(f"{prefix}{quote}{quote}")
        expression = pieces[0]
        for piece in pieces[1:]:
            expression = cst.BinaryOperation(expression, cst.Add(), piece)
        # Its own parentheses stay outside (with their line breaks), so later lines stay in place.
        return expression.with_changes(lpar=[*updated.lpar, cst.LeftParen()], rpar=[cst.RightParen(), *updated.rpar])


    def leave_TemplatedString(self, original: cst.TemplatedString,
                              updated: cst.TemplatedString) -> cst.BaseExpression:
        # A PEP 750 t-string is a `string.templatelib.Template`, not a str: it becomes a call of
        # that name with its text and expressions as arguments, so the names it uses stay visible.
        quote = updated.end
        prefix = updated.start[:-len(quote)].lower().replace("t", "")
        arguments = [argument for part in updated.parts for argument in _template_arguments(part, prefix, quote)]
        return cst.Call(func=_TEMPLATE, args=arguments, lpar=updated.lpar, rpar=updated.rpar)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return False  # lowered whole in leave_: a lowered f-string may not sit inside it

    def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                 updated: cst.ConcatenatedString) -> cst.BaseExpression:
        """`f"a{x}" "b"` becomes `("a" + str(x)) + "b"`, keeping the line breaks between parts."""
        parts = _string_parts(original)
        if not any(isinstance(part, (cst.FormattedString, cst.TemplatedString)) for part, _ in parts):
            return updated
        expression: cst.BaseExpression = _expression(parts[0][0].visit(self))
        for part, whitespace in parts[1:]:
            lowered = _expression(part.visit(self))
            operator = cst.Add(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=whitespace)
            expression = cst.BinaryOperation(expression, operator, lowered)
        return expression.with_changes(lpar=[*original.lpar, cst.LeftParen()], rpar=[cst.RightParen(), *original.rpar])


_TEMPLATE = cst.Attribute(cst.Attribute(cst.Name("string"), cst.Name("templatelib")), cst.Name("Template"))


def _template_arguments(part: cst.BaseTemplatedStringContent, prefix: str, quote: str) -> list[cst.Arg]:
    """A t-string part as call arguments: its text as a string, or its expression (in parentheses
    that keep the whitespace around it, line breaks included) and those of its format spec."""
    if isinstance(part, cst.TemplatedStringText):
        text = part.value.replace("{{", "{").replace("}}", "}")
        return [cst.Arg(cst.SimpleString(f"{prefix}{quote}{text}{quote}"))]
    assert isinstance(part, cst.TemplatedStringExpression)
    expression = part.expression.with_changes(
        lpar=[cst.LeftParen(whitespace_after=part.whitespace_before_expression), *part.expression.lpar],
        rpar=[*part.expression.rpar, cst.RightParen(whitespace_before=part.whitespace_after_expression)])
    spec = [argument for inner in part.format_spec or () if isinstance(inner, cst.TemplatedStringExpression)
            for argument in _template_arguments(inner, prefix, quote)]
    return [cst.Arg(expression), *spec]


def _string_parts(node: cst.ConcatenatedString) -> list[tuple[cst.BaseString, cst.BaseParenthesizableWhitespace]]:
    """The strings of an implicit concatenation, each with the whitespace before it."""
    parts: list[tuple[cst.BaseString, cst.BaseParenthesizableWhitespace]] = []

    def add(item: cst.BaseString, before: cst.BaseParenthesizableWhitespace) -> None:
        if isinstance(item, cst.ConcatenatedString):
            add(item.left, before)
            add(item.right, item.whitespace_between)
        else:
            parts.append((item, before))

    add(node.left, cst.SimpleWhitespace(""))
    add(node.right, node.whitespace_between)
    return parts


def lower(source: str) -> str:
    module = cst.parse_module(source)
    return module.visit(_Lowerer()).code


def _expression(node: object) -> cst.BaseExpression:
    """A lowered string part, which is always an expression (cst.ensure_type takes concrete classes only)."""
    if not isinstance(node, cst.BaseExpression):
        raise TypeError(f"a lowered string part is a {type(node).__name__}, not an expression")
    return node
