#!/usr/bin/env python3
"""Prints a valid manifest of 5,000 members, 2,000 tags, 500 custom fields and 500 customer
lists, for scripts/bench-validate.sh."""

MEMBERS, TAGS, FIELDS, LISTS, TEAMS = 5000, 2000, 500, 500, 20
TYPES = ["string", "integer", "float", "boolean", "date", "list"]

out = ["version: 1", "account:", "  slug: bench", "roles:", "  vendedor:", "    base: agent"]

out.append("teams:")
for t in range(TEAMS):
    out.append(f"  - name: Equipo {t}")
    out.append("    channels: [whatsapp, instagram]")

out.append("members:")
for m in range(MEMBERS):
    role = "admin" if m < 3 else ("vendedor" if m % 2 else "agent")
    out.append(f"  - email: persona{m}@bench.ec")
    out.append(f"    first_name: Persona {m}")
    out.append(f"    last_name: Apellido {m}")
    out.append(f"    role: {role}")
    out.append(f"    teams: [Equipo {m % TEAMS}]")

out.append("custom_fields:")
for f in range(FIELDS):
    kind = TYPES[f % len(TYPES)]
    out.append(f"  - key: campo_{f}")
    out.append(f"    name: Campo {f}")
    out.append(f"    type: {kind}")
    if kind == "list":
        out.append("    options: [Uno, Dos, Tres]")

out.append("tags:")
for t in range(TAGS):
    out.append(f"  - name: Etiqueta {t}")
    out.append('    color: "#A0B1C2"')

out.append("customer_lists:")
for l in range(LISTS):
    string_field = (l % (FIELDS // len(TYPES))) * len(TYPES)  # type index 0: string
    list_field = string_field + 5  # type index 5: list
    out.append(f"  - name: Lista {l}")
    out.append("    filter:")
    out.append("      all:")
    out.append(f"        - has_tag: Etiqueta {l % TAGS}")
    out.append(f"        - {{ field: campo_{string_field}, op: contains, value: Quito }}")
    out.append("        - any:")
    out.append(f"            - {{ field: campo_{list_field}, op: in, value: [Uno, Dos] }}")
    out.append(f"            - assigned_to: persona{l % MEMBERS}@bench.ec")
    out.append("            - not: { last_interaction_within: 30d }")

out.append("policy:")
out.append("  min_admins: 2")
print("\n".join(out))
