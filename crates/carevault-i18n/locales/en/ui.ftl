# carevault: ui messages (en).
