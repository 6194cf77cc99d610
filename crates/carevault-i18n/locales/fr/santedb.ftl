# carevault: santedb messages (fr).
