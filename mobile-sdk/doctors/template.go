package doctors

import (
	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

func decodeTemplate(raw []byte) (*syncv1.FieldTemplate, error) {
	t := &syncv1.FieldTemplate{}
	return t, proto.Unmarshal(raw, t)
}
