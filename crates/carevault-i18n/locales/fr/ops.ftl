# carevault: ops messages (fr).
