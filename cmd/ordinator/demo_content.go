package main

import (
	"context"
	"fmt"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
)

// demoContent are the demo library's items as Markdown files, the form
// `ordinator content import` reads; the first two are published.
var demoContent = []string{`---
id: demo-emollients
kind: training
title: Эмоленты в практике дерматолога
summary: Короткий курс с тестом на два вопроса
specialties: [dermatology]
regions: [demo-msk]
points: 40
pass_mark: 50
quiz:
  - question: Что составляет основу ухода при атопическом дерматите?
    options:
      - text: Эмоленты
        correct: true
      - text: Антибиотики
  - question: Как часто наносить эмоленты?
    options:
      - text: Раз в неделю
      - text: Не реже двух раз в день
        correct: true
---
# Зачем нужны эмоленты

Они восстанавливают **барьер** кожи и уменьшают потерю воды.

# Как выбирать

Без отдушек, с церамидами; объём — на месяц ухода.
`, `---
id: demo-atopic-memo
kind: article
title: Атопический дерматит — памятка для пациента
specialties: [dermatology, pediatrics]
regions: [demo-msk]
---
Распечатайте и отдайте пациенту.

- Увлажнять кожу **дважды в день**.
- Короткий тёплый душ вместо ванны.
- Хлопковая одежда.
`, `---
id: demo-barrier-paper
kind: paper
title: Восстановление кожного барьера
authors: [А. Иванова, Б. Петров]
journal: Вестник дерматологии
year: 2025
doi: 10.1111/jdv.12345
specialties: [dermatology]
regions: [demo-msk]
---
Обзор исследований эмолентов у детей и взрослых.
`}

// seedDemoContent imports the demo library (unless it has items) and
// publishes its first two items.
func seedDemoContent(ctx context.Context, lib *content.Service) error {
	if items, _, err := lib.ListItems(ctx, auth.System, content.Filter{PageSize: 1}); err != nil || len(items) > 0 {
		return err
	}
	for i, md := range demoContent {
		saved, _, err := lib.ImportMarkdown(ctx, auth.System, []byte(md))
		if err != nil {
			return fmt.Errorf("demo item %d: %w", i, err)
		}
		if i < 2 {
			if _, err := lib.PublishItem(ctx, auth.System, saved.Item.Id); err != nil {
				return err
			}
		}
	}
	return nil
}
