package endpoint_test

import (
	"fmt"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A channel checks its API's base URL in New.
func ExampleBase() {
	rules := endpoint.Rules{Default: "https://api.example.com/v1"}
	for _, raw := range []string{"", "http://127.0.0.1:8080/v1/", "http://api.example.com/v1"} {
		base, err := endpoint.Base("demo", "BaseURL", raw, rules)
		fmt.Printf("%q %v\n", base, err)
	}
	// Output:
	// "https://api.example.com/v1" <nil>
	// "http://127.0.0.1:8080/v1" <nil>
	// "" demo: Config.BaseURL: must use https (http only for a loopback host)
}

// A channel's URL form names https and http by two schemes.
func ExampleSchemes() {
	const schemes = endpoint.Schemes("demo")
	web, _ := schemes.Web("demo+http")
	fmt.Println(web, schemes.Form("https"))
	// Output: http demo
}
