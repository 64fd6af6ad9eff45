package emulator

import (
	"encoding/base64"
	"strconv"
)

// paginate returns one page of items after the position encoded in token.
// Tokens are opaque to callers; a token that was not issued here is an
// InvalidParameterException, as in ECS.
func paginate[T any](items []T, token string, maxResults *int, defaultMax int) ([]T, string, error) {
	limit := defaultMax
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 100 {
			return nil, "", invalidParameter("maxResults must be between 1 and 100.")
		}
		limit = *maxResults
	}
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, "", invalidParameter("Invalid nextToken.")
		}
		start = n
	}
	end := start + limit
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))), nil
}

// listPage answers a List operation: the page of items that token and
// maxResults ask for, under key, and the token of the next page.
func listPage(key string, items []string, token string, maxResults *int, defaultMax int) (any, error) {
	page, next, err := paginate(items, token, maxResults, defaultMax)
	if err != nil {
		return nil, err
	}
	return listOutput(key, page, next), nil
}

// arnsOf returns the ARN of each item, in order.
func arnsOf[T any](items []T, arn func(T) string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = arn(x)
	}
	return out
}

func listOutput(key string, page []string, next string) map[string]any {
	if page == nil {
		page = []string{}
	}
	out := map[string]any{key: page}
	if next != "" {
		out["nextToken"] = next
	}
	return out
}
