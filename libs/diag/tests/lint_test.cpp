// placeholder: lint rule tests
