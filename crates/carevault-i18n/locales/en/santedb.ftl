# carevault: santedb messages (en).
