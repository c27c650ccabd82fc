// placeholder: lint use case tests
