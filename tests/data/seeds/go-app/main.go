package main

import "fmt"

func myFunc() string {
	return "DevOps is the U+1F410"
}

func main() {
	fmt.Println(myFunc())
}
