# carevault: web messages (en).
