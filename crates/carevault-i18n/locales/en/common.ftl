# carevault: messages shared by every part (en).
# Message IDs are kebab-case and start with the file's area: common-, core-,
# ops-, cli-, web-, ui-, offsite-, santedb-.
common-language-name = English
