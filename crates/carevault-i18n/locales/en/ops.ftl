# carevault: ops messages (en).
