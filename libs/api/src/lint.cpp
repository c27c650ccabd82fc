// placeholder: the lint use case
