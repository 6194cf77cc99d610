# carevault: cli messages (fr).
