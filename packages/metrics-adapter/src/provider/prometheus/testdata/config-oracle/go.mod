module beacon.test/config-oracle

go 1.22

require (
	github.com/prometheus/common v0.55.0
	gopkg.in/yaml.v2 v2.4.0
)

require (
	github.com/kr/pretty v0.3.1 // indirect
	github.com/prometheus/client_model v0.6.1 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)
