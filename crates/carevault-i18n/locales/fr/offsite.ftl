# carevault: offsite messages (fr).
