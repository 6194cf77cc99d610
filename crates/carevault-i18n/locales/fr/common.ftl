# carevault : messages communs à toutes les parties (fr).
common-language-name = Français
