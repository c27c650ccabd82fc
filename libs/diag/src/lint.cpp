// placeholder: the lint rules
