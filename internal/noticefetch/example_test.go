package noticefetch_test

import (
	"fmt"

	"feed/internal/noticefetch"
)

// The search lists interpretations and news beside the notice; only the
// General Office's item with the yearly title, highlighting taken off, is
// the notice.
func ExampleReadSearchAnswer() {
	answer, err := noticefetch.ReadSearchAnswer([]byte(`{"code":200,"msg":"成功","searchVO":{"totalpage":1,"listVO":[
		{"title":"国务院办公厅关于<em>2026</em>年部分节假日安排的通知解读","url":"https://www.gov.cn/zhengce/jiedu.htm","puborg":"国务院办公厅"},
		{"title":"<em>2026</em>年放假安排来了","url":"https://www.gov.cn/news.htm","puborg":"新华社"},
		{"title":"国务院办公厅关于<em>2026</em>年部分节假日安排的通知","url":"https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm","pubtimeStr":"2025.11.04","puborg":"国务院办公厅"}]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range answer.Items {
		fmt.Println(it.IsNotice(2026), it.PlainTitle())
	}
	// Output:
	// false 国务院办公厅关于2026年部分节假日安排的通知解读
	// false 2026年放假安排来了
	// true 国务院办公厅关于2026年部分节假日安排的通知
}
