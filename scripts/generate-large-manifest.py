#!/usr/bin/env python3
"""Prints a valid manifest of many members, tags, custom fields, customer lists and quick
replies. Without arguments: 5,000 members, 2,000 tags, 500 custom fields and 500 customer
lists, for scripts/bench-validate.sh. Sizes and the account slug are options, so
scripts/bench.sh makes its large account (--preset account) and its 2,000 changes
(--preset apply) with it."""

import argparse

TYPES = ["string", "integer", "float", "boolean", "date", "list"]

# members, tags, custom fields, customer lists, quick replies, teams
PRESETS = {
    "validate": (5000, 2000, 500, 500, 0, 20),
    # DESIGN §7's large account.
    "account": (2000, 1000, 300, 300, 500, 20),
    # Exactly 2,000 objects, so a fresh account gets 2,000 creates.
    "apply": (1000, 400, 150, 150, 280, 20),
}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="validate")
    parser.add_argument("--slug", default="bench")
    for name in ["members", "tags", "fields", "lists", "quick-replies", "teams"]:
        parser.add_argument(f"--{name}", type=int, help="overrides the preset")
    args = parser.parse_args()
    preset = dict(
        zip(["members", "tags", "fields", "lists", "quick_replies", "teams"], PRESETS[args.preset])
    )
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.lists and (args.fields < len(TYPES) or args.tags < 1 or args.members < 1):
        parser.error("customer lists need at least 6 custom fields, a tag and a member")
    return args


def manifest(args):
    members, tags, fields, lists, replies, teams = (
        args.members, args.tags, args.fields, args.lists, args.quick_replies, args.teams
    )
    out = ["version: 1", "account:", f"  slug: {args.slug}"]
    out += ["roles:", "  vendedor:", "    base: agent"]

    if teams:
        out.append("teams:")
    for t in range(teams):
        out.append(f"  - name: Equipo {t}")
        out.append("    channels: [whatsapp, instagram]")

    out.append("members:")
    for m in range(members):
        role = "admin" if m < 3 else ("vendedor" if m % 2 else "agent")
        out.append(f"  - email: persona{m}@bench.ec")
        out.append(f"    first_name: Persona {m}")
        out.append(f"    last_name: Apellido {m}")
        out.append(f"    role: {role}")
        if teams:
            out.append(f"    teams: [Equipo {m % teams}]")

    out.append("custom_fields:")
    for f in range(fields):
        kind = TYPES[f % len(TYPES)]
        out.append(f"  - key: campo_{f}")
        out.append(f"    name: Campo {f}")
        out.append(f"    type: {kind}")
        if kind == "list":
            out.append("    options: [Uno, Dos, Tres]")

    out.append("tags:")
    for t in range(tags):
        out.append(f"  - name: Etiqueta {t}")
        out.append('    color: "#A0B1C2"')

    if replies:
        out.append("quick_replies:")
        for q in range(replies):
            out.append(f"  - title: Respuesta {q}")
            out.append(f'    text: "Gracias por escribirnos; la respuesta {q} le llega pronto."')
            out.append("    channels: [whatsapp]")

    if lists:
        out.append("customer_lists:")
    for l in range(lists):
        string_field = (l % (fields // len(TYPES))) * len(TYPES)  # type index 0: string
        list_field = string_field + 5  # type index 5: list
        out.append(f"  - name: Lista {l}")
        out.append("    filter:")
        out.append("      all:")
        out.append(f"        - has_tag: Etiqueta {l % tags}")
        out.append(f"        - {{ field: campo_{string_field}, op: contains, value: Quito }}")
        out.append("        - any:")
        out.append(f"            - {{ field: campo_{list_field}, op: in, value: [Uno, Dos] }}")
        out.append(f"            - assigned_to: persona{l % members}@bench.ec")
        out.append("            - not: { last_interaction_within: 30d }")

    out.append("policy:")
    out.append(f"  min_admins: {min(2, members)}")
    return "\n".join(out)


if __name__ == "__main__":
    print(manifest(arguments()))
