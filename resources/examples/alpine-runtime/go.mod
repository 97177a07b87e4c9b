module app

go 1.12
