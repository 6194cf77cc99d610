# carevault: offsite messages (en).
