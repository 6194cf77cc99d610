# carevault: web messages (fr).
