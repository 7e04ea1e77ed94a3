module beacon.test/template-oracle

go 1.22
