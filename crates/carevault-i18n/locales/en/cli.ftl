# carevault: cli messages (en).
